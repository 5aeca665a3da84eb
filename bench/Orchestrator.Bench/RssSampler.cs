using System.Diagnostics;

namespace Orchestrator.Bench;

/// <summary>
/// Samples this process's resident set every 100 ms while a phase runs. The OS keeps only a process-wide
/// peak (<see cref="Process.PeakWorkingSet64"/>), which mixes phases together; sampling gives a peak per phase.
/// </summary>
public sealed class RssSampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Process _process = Process.GetCurrentProcess();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakBytes;
    private long _peakManagedBytes;
    private long _peakAnonBytes;
    private long _peakGcCommittedBytes;

    private RssSampler() => _loop = Task.Run(LoopAsync);

    /// <summary>Starts sampling at once; dispose (or <see cref="StopAsync"/>) to end it.</summary>
    public static RssSampler Start() => new();

    /// <summary>Highest working set seen by a sample so far, in bytes.</summary>
    public long PeakBytes => Interlocked.Read(ref _peakBytes);

    /// <summary>Highest managed heap (<see cref="GC.GetTotalMemory"/> without a collection) seen by a sample, in bytes.</summary>
    public long PeakManagedBytes => Interlocked.Read(ref _peakManagedBytes);

    /// <summary>Highest anonymous resident memory (Linux <c>RssAnon</c>: heaps, stacks; not mapped files such as assemblies), or 0 elsewhere.</summary>
    public long PeakAnonBytes => Interlocked.Read(ref _peakAnonBytes);

    /// <summary>Highest memory the GC had committed (as of its last collection), in bytes.</summary>
    public long PeakGcCommittedBytes => Interlocked.Read(ref _peakGcCommittedBytes);

    /// <summary>The OS's own process-wide peak (all phases so far), in bytes.</summary>
    public static long ProcessPeakBytes()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        Sample(); // one last reading so that a phase shorter than the interval still has a figure
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        Sample();
        while (await timer.WaitForNextTickAsync(_stop.Token)) Sample();
    }

    private void Sample()
    {
        // Process caches its counters: without Refresh every sample would repeat the first value.
        _process.Refresh();
        Raise(ref _peakBytes, _process.WorkingSet64);
        Raise(ref _peakManagedBytes, GC.GetTotalMemory(forceFullCollection: false));
        Raise(ref _peakGcCommittedBytes, GC.GetGCMemoryInfo().TotalCommittedBytes);
        Raise(ref _peakAnonBytes, AnonBytes());
    }

    private static long AnonBytes()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status)) return 0;
        foreach (var line in File.ReadLines(Status))
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                return long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    private static void Raise(ref long peak, long now)
    {
        long seen;
        while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _process.Dispose();
    }
}
