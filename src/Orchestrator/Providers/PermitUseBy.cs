namespace Orchestrator.Providers;

/// <summary>
/// Carries a throttle permit's use-by time with the call made under it, to the point where the call is sent
/// (<see cref="ProviderHttp.SendAsync"/>). The throttle counts a call as arriving at the provider at any moment from its
/// grant until its answer, but gives up on an answer that never comes after the call's timeout; a call sent long after
/// its grant (a Chanjing call waiting for a token fetch, a submit waiting for its attempt to be journaled) could arrive
/// after the throttle stopped counting it. So a call is sent while its permit is usable or not at all: it then fails as
/// <see cref="ProviderHttp.NotSent"/> and is asked for again under a new permit.
/// </summary>
internal static class PermitUseBy
{
    private sealed record Deadline(DateTimeOffset UseBy, TimeProvider Clock);

    private static readonly AsyncLocal<Deadline?> Current = new();

    /// <summary>Starts <paramref name="call"/> with <paramref name="useBy"/> as the deadline of every send it makes.</summary>
    public static Task<T> Run<T>(DateTimeOffset useBy, TimeProvider clock, Func<Task<T>> call)
    {
        var before = Current.Value;
        Current.Value = new Deadline(useBy, clock);
        try
        {
            return call(); // the call's awaits capture the deadline with the rest of the execution context
        }
        finally
        {
            Current.Value = before; // the caller (an actor's thread) goes on without it
        }
    }

    /// <summary>How long ago the current call's permit ran out, if it did.</summary>
    public static TimeSpan? Overdue()
    {
        if (Current.Value is not { } d) return null;
        var late = d.Clock.GetUtcNow() - d.UseBy;
        return late > TimeSpan.Zero ? late : null;
    }
}
