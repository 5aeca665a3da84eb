namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// What a task that passivated through a long wait for its next poll keeps outside its actor (its supervisor holds it,
/// a few dozen bytes): when to wake it, and the progress its journal does not hold. Everything else is read back from
/// the journal when it wakes, so a task waiting on a provider for an hour costs no actor.
/// </summary>
/// <param name="WakeAt">The next poll or the deadline, whichever comes first.</param>
/// <param name="PollAt">When the next poll is due.</param>
/// <param name="Status">Submitted or processing (processing is not journaled).</param>
/// <param name="Polls">Polls made so far.</param>
/// <param name="ConsecutiveFailures">Polls in a row that failed (the streak that ends a task at its bound).</param>
/// <param name="NotFoundAnswers">Polls in a row the provider answered "not found".</param>
/// <param name="NotFoundSince">When the first of those came.</param>
internal sealed record TaskResume(
    DateTimeOffset WakeAt,
    DateTimeOffset PollAt,
    TaskLifecycle Status,
    int Polls,
    int ConsecutiveFailures,
    int NotFoundAnswers,
    DateTimeOffset? NotFoundSince);
