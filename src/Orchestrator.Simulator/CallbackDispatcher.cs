using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;

namespace Orchestrator.Simulator;

/// <summary>
/// POSTs a task's status changes to its callback URL. Statuses follow from the clock, so a timer of the
/// injected <see cref="TimeProvider"/> (every 100 ms of its time; advancing a fake clock fires it) wakes a single
/// loop that finds the transitions and delivers them: one attempt each, 5 s timeout, in order per task.
/// Started by the first task with a callback, so a simulator nobody asks for callbacks runs no timer.
/// </summary>
internal sealed class CallbackDispatcher(TimeProvider clock, CancellationToken stopping) : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Watched> _watched = new();
    // One pending wake-up is enough: a pass looks at every watched task.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _startLock = new();
    private HttpClient? _http;
    private ITimer? _timer;
    private Task? _loop;

    /// <param name="notified">The phase its receiver already knows of: by default the one it was created in.</param>
    public void Watch(SimulatedAccount account, SimulatedTask task, Func<SimulatedTask, DateTimeOffset, string> body, TaskPhase? notified = null)
    {
        _watched[task.TaskId] = new Watched(account, task, body) { Notified = notified ?? task.PhaseAt(task.CreatedAt) };
        if (Volatile.Read(ref _loop) is null) Start();
    }

    private void Start()
    {
        lock (_startLock)
        {
            if (_loop is not null || stopping.IsCancellationRequested) return;
            // A simulator posts to loopback receivers in tests: an environment proxy must not intercept them.
            _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = PostTimeout };
            // Started from inside some request: its context (activity, scopes) must not become the loop's forever.
            using (ExecutionContext.SuppressFlow())
            {
                _timer = clock.CreateTimer(_ => _wake.Writer.TryWrite(true), null, Tick, Tick);
                Volatile.Write(ref _loop, Task.Run(RunAsync));
            }
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stopping))
            {
                _wake.Reader.TryRead(out _);
                await PassAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PassAsync()
    {
        var now = clock.GetUtcNow();
        var deliveries = new List<Task>();
        foreach (var (id, watched) in _watched)
        {
            var changes = watched.ChangesUntil(now);
            if (changes.Count == 0) continue;
            if (watched.Notified >= TaskPhase.Succeeded) _watched.TryRemove(id, out _);
            deliveries.Add(DeliverAsync(watched, changes));
        }
        await Task.WhenAll(deliveries);
    }

    private async Task DeliverAsync(Watched watched, List<DateTimeOffset> changes)
    {
        foreach (var at in changes)
        {
            var delivered = await PostAsync(watched.Task.CallbackUrl!, watched.Body(watched.Task, at));
            Interlocked.Increment(ref delivered ? ref watched.Account.Counters.CallbacksSent : ref watched.Account.Counters.CallbacksFailed);
        }
    }

    private async Task<bool> PostAsync(string url, string body)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return false;
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _http!.PostAsync(uri, content, stopping);
            return response.IsSuccessStatusCode;
        }
        catch (Exception)
        {
            // Whatever the receiver does (refuses, resets, hangs past the timeout, or the simulator stops),
            // it is one failed delivery, never a crash of the loop.
            return false;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _wake.Writer.TryComplete();
        _http?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _timer?.Dispose();
        _wake.Writer.TryComplete();
        if (_loop is { } loop) await loop.ConfigureAwait(false);
        _http?.Dispose();
    }

    /// <summary>A task with a callback and the last phase its receiver was told about.</summary>
    private sealed class Watched(SimulatedAccount account, SimulatedTask task, Func<SimulatedTask, DateTimeOffset, string> body)
    {
        public SimulatedAccount Account { get; } = account;
        public SimulatedTask Task { get; } = task;
        public Func<SimulatedTask, DateTimeOffset, string> Body { get; } = body;
        public TaskPhase Notified { get; set; }

        /// <summary>The instants of the status changes reached by <paramref name="now"/> not yet notified (at most two: start and end).</summary>
        public List<DateTimeOffset> ChangesUntil(DateTimeOffset now)
        {
            var changes = new List<DateTimeOffset>(2);
            foreach (var at in (ReadOnlySpan<DateTimeOffset>)[Task.StartsAt, Task.EndsAt])
            {
                if (at > now) break;
                var phase = Task.PhaseAt(at);
                if (phase <= Notified) continue;
                changes.Add(at);
                Notified = phase;
            }
            return changes;
        }
    }
}
