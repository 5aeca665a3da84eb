using Akka.Persistence.Journal;
using Orchestrator.Batches;
using Orchestrator.Tasks;
using Orchestrator.Webhooks;

namespace Orchestrator.Persistence;

/// <summary>
/// Tags every journaled event by what it is about, on its way into the journal: the read side (catalog, completion
/// stream, batch directory, webhook offsets) follows these tags, and no actor has to remember to tag what it writes.
/// </summary>
internal sealed class OrchestratorEventTags : IWriteEventAdapter
{
    /// <summary>The tag of an event, null for one that is not read by tag.</summary>
    public static string? TagOf(object evt) => evt switch
    {
        // Batches write task events too (tasks cancelled while still queued): they are task events all the same.
        ITaskEvent => GenerationTask.JournalTag,
        IBatchEvent => BatchActor.JournalTag,
        IWebhookRegistryEvent or IWebhookDeliveryEvent => WebhookDeliverer.JournalTag,
        _ => null,
    };

    private static readonly string[] TaskAndState = [GenerationTask.JournalTag, TaskStateEvents.JournalTag];

    /// <inheritdoc />
    public string Manifest(object evt) => string.Empty;

    /// <inheritdoc />
    public object ToJournal(object evt) =>
        // A state change of a task whose webhook receives every state is also in the stream the state deliverer follows.
        evt is ITaskEvent te && TaskStateEvents.IsAnnounced(te) ? new Tagged(evt, TaskAndState)
        : TagOf(evt) is { } tag ? new Tagged(evt, [tag]) : evt;
}
