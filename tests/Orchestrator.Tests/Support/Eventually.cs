namespace Orchestrator.Tests.Support;

/// <summary>Waits for a condition a user would wait for (e.g. a task to end), failing with what was last seen.</summary>
public static class Eventually
{
    public static Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what) =>
        Until(probe, done, timeout, _ => what);

    /// <summary>As above, with the failure's words written when it fails (what is left then, the processes' last lines).</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T, string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout} waiting for {what(last)}; last seen: {last}");
            await Task.Delay(100);
        }
    }
}
