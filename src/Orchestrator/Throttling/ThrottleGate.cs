using Akka.Actor;
using Orchestrator.Providers;

namespace Orchestrator.Throttling;

/// <summary><see cref="IPermitGate"/> over the throttle actors, by message, as task actors use them.</summary>
internal sealed class ThrottleGate(IActorRef throttles, TimeProvider? clock = null) : IPermitGate
{
    private TimeProvider Clock => clock ?? TimeProvider.System;

    public async Task<T> UnderPermitAsync<T>(string account, CallKind kind, Func<Task<T>> call, CancellationToken ct)
    {
        var permit = await AcquireAsync(account, kind, ct).ConfigureAwait(false);
        try
        {
            return await PermitUseBy.Run(permit.UseBy, Clock, call).ConfigureAwait(false);
        }
        finally
        {
            throttles.Tell(new CallFinished(account, permit.PermitId));
        }
    }

    private async Task<PermitGranted> AcquireAsync(string account, CallKind kind, CancellationToken ct)
    {
        while (true)
        {
            var permit = await throttles.Ask<PermitGranted>(new RequestPermit(account, $"{kind}:{account}", kind), TimeSpan.FromMinutes(10), ct);
            if (Clock.GetUtcNow() <= permit.UseBy) return permit;
            throttles.Tell(new CallFinished(account, permit.PermitId, Used: false)); // too late to use without crowding the window
        }
    }
}
