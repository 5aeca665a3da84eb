using Akka.Actor;

namespace Orchestrator.Cluster;

/// <summary>
/// A question to an actor that may sit on a node that just died: a cluster singleton (the batch directory) or a shard
/// whose node is unreachable but not yet removed. Until the cluster removes that node, the proxy or region still sends
/// there, and the message is lost: a single ask would hang for its whole timeout and answer 503. A read changes
/// nothing, so it is asked again every <see cref="Try"/> until <c>total</c> passes; once the singleton or shard runs
/// again elsewhere (seconds after the removal), the next try finds it. Writes are never retried this way.
/// </summary>
internal static class RetriedRead
{
    /// <summary>How long one try waits: well above a read's answer under load, well below a client's patience.</summary>
    public static readonly TimeSpan Try = TimeSpan.FromSeconds(10);

    /// <summary>Asks <paramref name="question"/> of <paramref name="actor"/> until answered or <paramref name="total"/> passes.</summary>
    /// <param name="actor">A singleton's proxy, a shard region, or any actor.</param>
    /// <param name="question">A read: asking it twice changes nothing.</param>
    /// <param name="total">How long in all before <see cref="AskTimeoutException"/>.</param>
    /// <param name="ct">Cancels the wait.</param>
    /// <param name="tryFor">How long one try waits (<see cref="Try"/> unless given).</param>
    public static async Task<T> AskAsync<T>(IActorRef actor, object question, TimeSpan total, CancellationToken ct, TimeSpan? tryFor = null)
    {
        var each = tryFor ?? Try;
        var until = DateTimeOffset.UtcNow + total;
        while (true)
        {
            var left = until - DateTimeOffset.UtcNow;
            try
            {
                return await actor.Ask<T>(question, left < each * 1.5 ? left : each, ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (left >= each * 1.5)
            {
                // Asked again: the first may have gone to a node that is gone.
            }
        }
    }
}
