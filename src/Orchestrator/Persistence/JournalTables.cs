using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Orchestrator.Persistence;

/// <summary>
/// Waits until the journal has created its tables. Akka.Persistence.Sql creates them when its journal starts; the
/// projectors read the tag table with their own SQL on SQLite (<c>SqliteTagPages</c>) and index it, so on a fresh
/// database they must not run ahead of that creation (the index would be missing until the next start).
/// </summary>
internal static class JournalTables
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AtMost = TimeSpan.FromSeconds(30);

    public static async Task EnsureAsync(ActorSystem system, string tag)
    {
        Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(OrchestratorPersistence.JournalPluginId); // starts it
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // An empty range: the journal's highest ordering is read (a table must exist), no event is.
                await OrchestratorPersistence.ReadJournal(system).CurrentEventsByTag(tag, Offset.Sequence(long.MaxValue - 1))
                    .RunWith(Sink.Ignore<EventEnvelope>(), system.Materializer());
                return;
            }
            catch (Exception) when (waited.Elapsed < AtMost)
            {
                await Task.Delay(Poll);
            }
        }
    }
}
