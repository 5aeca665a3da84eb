using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Orchestrator.Batches;

namespace Orchestrator.ReadModel;

/// <summary>
/// Keeps <c>orchestrator_batches</c> up with the "batch" tag: at start from its stored offset to the end (then the
/// registry is caught up and the batch directory may ask it which batches have work left), then live.
/// </summary>
internal sealed class BatchProjector : ReceiveActor, IWithTimers
{
    private sealed record Start;
    private sealed record CaughtUp(long Offset);
    private sealed record StreamFailed(Exception Cause);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly ReadModelDatabase _db;
    private readonly BatchRegistry _registry;
    private readonly SharedKillSwitch _kill = KillSwitches.Shared("batch-projector");

    public ITimerScheduler Timers { get; set; } = null!;

    public BatchProjector(ReadModelDatabase db, BatchRegistry registry)
    {
        _db = db;
        _registry = registry;
        ReceiveAsync<Start>(async _ =>
        {
            try
            {
                await Persistence.JournalTables.EnsureAsync(Context.System, _db);
                await _db.EnsureSchemaAsync(CancellationToken.None);
                Follow(await _registry.LoadOffsetAsync(CancellationToken.None), live: false);
            }
            catch (Exception ex)
            {
                Self.Tell(new StreamFailed(ex));
            }
        });
        Receive<CaughtUp>(c =>
        {
            _registry.Progress.Advance(c.Offset, []);
            _registry.Progress.MarkCaughtUp();
            Follow(c.Offset, live: true);
        });
        Receive<StreamFailed>(f =>
        {
            Context.GetLogger().Error(f.Cause, "The batch registry stopped following the journal; retrying in {0} s", RetryAfter.TotalSeconds);
            Timers.StartSingleTimer("retry", new Start(), RetryAfter);
        });
    }

    public static Props Props(ReadModelDatabase db, BatchRegistry registry) => Akka.Actor.Props.Create(typeof(BatchProjector), db, registry);

    protected override void PreStart() => Self.Tell(new Start());

    protected override void PostStop() => _kill.Shutdown();

    private void Follow(long offset, bool live)
    {
        var self = Self;
        TagFollower.Follow(Context.System, _db, BatchActor.JournalTag, offset, live, _kill,
                page => _registry.WriteAsync(page, CancellationToken.None), written => _registry.Progress.Advance(written, []))
            .ContinueWith(t =>
            {
                if (t.IsFaulted) self.Tell(new StreamFailed(t.Exception!.GetBaseException()));
                else if (!live) self.Tell(new CaughtUp(Math.Max(offset, _registry.Progress.Offset)));
            }, TaskScheduler.Default);
    }
}
