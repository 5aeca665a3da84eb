using System.Collections.Concurrent;

namespace Orchestrator.Simulator;

/// <summary>
/// The simulated providers: every configured account (or the three defaults), what they recorded, injected
/// faults and the callback deliveries. Thread-safe; shared by the HTTP endpoints. Every time-dependent
/// behaviour reads the injected <see cref="TimeProvider"/>, except the QPS window, which measures real arrivals.
/// </summary>
public sealed class ProviderSimulator : IAsyncDisposable, IDisposable
{
    private readonly TimeProvider _clock;
    private readonly ConcurrentQueue<SimulatedFault> _sharedFaults = new();
    private readonly ConcurrentQueue<SimulatedFault> _resultFileFaults = new();
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CallbackDispatcher _callbacks;
    private readonly SimulatedTaskStore? _store;
    private int _disposed;
    private long _resultFileDownloads;

    public ProviderSimulator(SimulatorOptions options, TimeProvider? clock = null)
    {
        Options = options;
        _clock = clock ?? TimeProvider.System;
        _random = options.Seed is { } s ? new Random(s) : new Random();
        var configured = options.Accounts.Count > 0 ? options.Accounts : SimulatedAccountOptions.Defaults();
        var duplicate = configured.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two simulated accounts are named '{duplicate.Key}'.", nameof(options));
        _store = string.IsNullOrWhiteSpace(options.ConnectionString) ? null : new SimulatedTaskStore(options.ConnectionString);
        Accounts = [.. configured.Select(a => new SimulatedAccount(a, options, _clock, Draw, _sharedFaults, _store))];
        _callbacks = new CallbackDispatcher(_clock, _stopping.Token);
        Restore();
    }

    /// <summary>Kling deletes results after 30 days (docs/providers.md, Kling): a restarted simulator forgets tasks that old.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    /// <summary>Takes back the stored tasks of the configured accounts; those still running with a callback are watched again.</summary>
    private void Restore()
    {
        if (_store is null) return;
        var now = _clock.GetUtcNow();
        foreach (var (accountName, task) in _store.Load(now - Retention))
        {
            if (FindAccount(accountName) is not { } account) continue;
            account.Restore(task);
            // Changes made while the simulator was down went unannounced, as a provider's do when its receiver was down.
            if (task.CallbackUrl is not null && !task.EndedAt(now)) _callbacks.Watch(account, task, CallbackBody(account), task.PhaseAt(now));
        }
    }

    private static Func<SimulatedTask, DateTimeOffset, string> CallbackBody(SimulatedAccount account) =>
        account.Protocol == SimulatedProtocols.Chanjing ? ChanjingAnswers.CallbackBody : KlingAnswers.CallbackBody;

    public SimulatorOptions Options { get; }
    public DateTimeOffset Now => _clock.GetUtcNow();
    public IReadOnlyList<SimulatedAccount> Accounts { get; }

    /// <summary>Cancelled when the simulator stops: hanging answers end and callbacks stop.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Totals over all accounts: counts summed, the peak the highest account's.</summary>
    public SimulatorStats Stats() => SimulatorStats.Total([.. Accounts.Select(a => a.Stats())]);

    /// <summary>One account's figures.</summary>
    public SimulatorStats Stats(string accountName) => Account(accountName).Stats();

    /// <summary>The next <paramref name="count"/> calls (after auth), to whichever account, get <paramref name="fault"/>.</summary>
    public void Inject(SimulatedFault fault, int count)
    {
        for (var i = 0; i < count; i++) _sharedFaults.Enqueue(fault);
    }

    /// <summary>Every account answers every call with <paramref name="fault"/> for <paramref name="duration"/> (see <see cref="SimulatedAccount.StartOutage"/>).</summary>
    public void StartOutage(SimulatedFault fault, TimeSpan duration)
    {
        foreach (var account in Accounts) account.StartOutage(fault, duration);
    }

    /// <summary>The next <paramref name="count"/> calls to one account get <paramref name="fault"/>.</summary>
    public void Inject(string accountName, SimulatedFault fault, int count) => Account(accountName).Inject(fault, count);

    /// <summary>The next <paramref name="count"/> downloads from the files area get <paramref name="fault"/> (see <see cref="SimulatedFaultTarget.ResultFiles"/>).</summary>
    public void InjectResultFileFault(SimulatedFault fault, int count)
    {
        for (var i = 0; i < count; i++) _resultFileFaults.Enqueue(fault);
    }

    /// <summary>Requests to the files area so far, faulted ones included: the attempts a downloader made.</summary>
    public long ResultFileDownloads => Interlocked.Read(ref _resultFileDownloads);

    /// <summary>Counts one download from the files area and says which injected fault, if any, answers it.</summary>
    internal SimulatedFault? AdmitResultFileDownload()
    {
        Interlocked.Increment(ref _resultFileDownloads);
        return _resultFileFaults.TryDequeue(out var fault) ? fault : null;
    }

    public SimulatedAccount Account(string name) =>
        FindAccount(name) ?? throw new KeyNotFoundException($"No simulated account is named '{name}'.");

    public SimulatedAccount? FindAccount(string name) => Accounts.FirstOrDefault(a => a.Name == name);

    /// <summary>The accounts speaking one protocol, in configuration order.</summary>
    public IEnumerable<SimulatedAccount> AccountsFor(string protocol) => Accounts.Where(a => a.Protocol == protocol);

    /// <summary>
    /// Where an unattributable call is counted (a key, token or issuer no account owns): the protocol's first
    /// account, so totals still show it.
    /// </summary>
    internal SimulatedAccount? FallbackAccount(string protocol) => AccountsFor(protocol).FirstOrDefault();

    /// <summary>Finds a task on any account, without counting a poll (for the files area).</summary>
    public SimulatedTask? Peek(string taskId) => Accounts.Select(a => a.Peek(taskId)).FirstOrDefault(t => t is not null);

    /// <summary>Creates a task and, when it carries a callback URL, watches it for status changes to POST.</summary>
    internal (SimulatedTask? Task, CreateRefusal Refusal) Create(SimulatedAccount account, TaskRequest request,
        Func<SimulatedTask, DateTimeOffset, string> callbackBody)
    {
        var created = account.Create(request);
        if (created.Task is { CallbackUrl: not null } task) _callbacks.Watch(account, task, callbackBody);
        return created;
    }

    private double Draw()
    {
        lock (_randomLock) return _random.NextDouble();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Cancel();
        _callbacks.Dispose();
        _store?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Cancel();
        await _callbacks.DisposeAsync();
        _store?.Dispose();
    }
}
