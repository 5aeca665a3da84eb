using Akka.Actor;
using Orchestrator.Providers;

namespace Orchestrator.Throttling;

/// <summary><see cref="IPermitGate"/> over the throttle actors, by message, as task actors use them.</summary>
internal sealed class ThrottleGate(IActorRef throttles, TimeProvider? clock = null) : IPermitGate
{
    public async Task<long> AcquireAsync(string account, CallKind kind, CancellationToken ct)
    {
        while (true)
        {
            var permit = await throttles.Ask<PermitGranted>(new RequestPermit(account, $"{kind}:{account}", kind), TimeSpan.FromMinutes(10), ct);
            if ((clock ?? TimeProvider.System).GetUtcNow() <= permit.UseBy) return permit.PermitId;
            throttles.Tell(new CallFinished(account, permit.PermitId)); // too late to use without crowding the window
        }
    }

    public void Finished(string account, long permitId) => throttles.Tell(new CallFinished(account, permitId));
}
