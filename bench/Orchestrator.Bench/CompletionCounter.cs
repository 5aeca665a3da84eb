using System.Diagnostics;
using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Bench;

/// <summary>
/// Counts ended tasks as <see cref="IOrchestrator.CompletionsAsync"/> delivers them: each is a terminal event read back
/// from the journal, so a counted task's end is durable. Keeps counts per second since its start and no task ids, so it
/// costs the same after 200,000 tasks as after one.
/// </summary>
public sealed class CompletionCounter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<int> _perSecond = [];
    private readonly Action? _onEnd;
    private readonly DateTimeOffset _createdFrom;
    private readonly Task _loop;
    private int _ended;
    private int _succeeded;
    private long _lastOffset;

    private CompletionCounter(IOrchestrator orchestrator, DateTimeOffset createdFrom, Action? onEnd)
    {
        _createdFrom = createdFrom;
        _onEnd = onEnd;
        StartTicks = Stopwatch.GetTimestamp();
        _loop = Task.Run(() => ReadAsync(orchestrator));
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp second 0 of <see cref="EndedBetween"/> counts from.</summary>
    public long StartTicks { get; }

    public int Ended => Volatile.Read(ref _ended);
    public int Succeeded => Volatile.Read(ref _succeeded);

    /// <summary>The first task that ended otherwise than succeeded: its status and error.</summary>
    public string? FirstOther { get; private set; }

    /// <summary>Why the stream stopped, if it failed.</summary>
    public Exception? Failure { get; private set; }

    /// <param name="createdFrom">Completions of tasks created before this (an earlier run in the same database) are not counted.</param>
    /// <param name="onEnd">Called once per counted task (e.g. to let a feed submit another).</param>
    public static CompletionCounter Start(IOrchestrator orchestrator, DateTimeOffset createdFrom, Action? onEnd = null) =>
        new(orchestrator, createdFrom, onEnd);

    /// <summary>Tasks that ended in whole seconds [<paramref name="from"/>, <paramref name="to"/>) since the start.</summary>
    public int EndedBetween(int from, int to)
    {
        lock (_perSecond) return _perSecond.Skip(from).Take(Math.Max(0, to - from)).Sum();
    }

    /// <summary>Ended tasks per whole second since the start.</summary>
    public int[] PerSecond()
    {
        lock (_perSecond) return [.. _perSecond];
    }

    /// <summary>Waits until <paramref name="count"/> tasks have ended; false if the time ran out first.</summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan timeout, Action<int>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (Ended < count)
        {
            if (Failure is not null) throw new InvalidOperationException("The completion stream failed.", Failure);
            if (clock.Elapsed > timeout) return false;
            if (progress is not null && clock.Elapsed - reported >= TimeSpan.FromSeconds(15))
            {
                reported = clock.Elapsed;
                progress(Ended);
            }
            await Task.Delay(50);
        }
        return true;
    }

    private async Task ReadAsync(IOrchestrator orchestrator)
    {
        try
        {
            await foreach (var c in orchestrator.CompletionsAsync(0, _stop.Token))
            {
                // Delivery is at least once and in journal order: a repeat never has a higher offset than what was seen.
                if (c.Offset <= _lastOffset) continue;
                _lastOffset = c.Offset;
                if (c.Task.CreatedAt < _createdFrom) continue;
                Count(c.Task);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception ex)
        {
            Failure = ex;
        }
    }

    private void Count(TaskView task)
    {
        var second = (int)Stopwatch.GetElapsedTime(StartTicks).TotalSeconds;
        lock (_perSecond)
        {
            while (_perSecond.Count <= second) _perSecond.Add(0);
            _perSecond[second]++;
        }
        if (task.Status == TaskLifecycle.Succeeded) Interlocked.Increment(ref _succeeded);
        else FirstOther ??= $"task {task.Id} ended {task.Status.WireName()}: {task.Error?.Code} {task.Error?.Message}";
        Interlocked.Increment(ref _ended);
        _onEnd?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
