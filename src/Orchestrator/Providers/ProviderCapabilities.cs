namespace Orchestrator.Providers;

/// <summary>
/// How a provider's client takes tasks and is polled: the one place the task lifecycle learns what differs between
/// providers, so it never tests client types.
/// </summary>
/// <param name="TakesExternalId">
/// The provider stores our task id as its <c>external_task_id</c> (Kling, DMXAPI), so a submit whose answer was lost
/// can be found again. Without it (Chanjing) a submit is journaled as attempted first, and a lost answer is a possible
/// duplicate, reported, never silent.
/// </param>
/// <param name="BatchQuerySize">Most tasks one status query may ask about (Chanjing: 50), or null for one at a time.</param>
internal sealed record ProviderCapabilities(bool TakesExternalId, int? BatchQuerySize = null)
{
    /// <summary>Polls go through the account's batch poller: one permit for many tasks.</summary>
    public bool PollsInBatch => BatchQuerySize is > 1;

    /// <summary>What an account missing from the configuration can do: nothing at all.</summary>
    internal static readonly ProviderCapabilities Unconfigured = new(false);
}
