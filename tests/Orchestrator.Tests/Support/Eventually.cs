namespace Orchestrator.Tests.Support;

/// <summary>Waits for a condition a user would wait for (e.g. a task to end), failing with what was last seen.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last seen: {last}");
            await Task.Delay(100);
        }
    }
}
