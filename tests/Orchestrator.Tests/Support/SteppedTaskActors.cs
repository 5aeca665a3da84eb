using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.ResultFiles;
using Orchestrator.Providers;
using Orchestrator.Simulator;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Support;

/// <summary>
/// The task actors as the host starts them (real SQLite journal, real throttle, the simulator over loopback HTTP) with
/// time in the test's hands: the orchestrator and the simulator share one <see cref="FakeTimeProvider"/>, the actor
/// system's scheduler is Akka.TestKit's <see cref="TestScheduler"/>, and <see cref="Advance"/> moves both by the same step.
/// Provider calls stay real async HTTP, so after a step the test waits (bounded in real time) until the task is idle
/// again; every progress sample taken on the way checks the invariant: a task that has not ended waits on exactly one
/// of a timer, a permit or a call (an ended one, watching its provider task quietly, on at most one).
/// </summary>
internal sealed class SteppedTaskActors : IAsyncDisposable
{
    /// <summary>Where the fake clock starts: whole milliseconds, as the provider's epoch-millisecond times are.</summary>
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    // Steps stop this short of a planned poll first, so a poll that came early would be seen at the wrong instant.
    private static readonly TimeSpan JustBefore = TimeSpan.FromMilliseconds(1);

    private readonly TempDirectory _dir = new();
    private int _systems;

    private SteppedTaskActors(OrchestratorOptions options) => Options = options;

    public FakeTimeProvider Clock { get; } = new(Start);
    public HeldAnswers Held { get; } = new();
    public OrchestratorOptions Options { get; }
    public SimulatorServer Simulator { get; private set; } = null!;
    public ActorSystem System { get; private set; } = null!;
    public TaskActors Actors { get; private set; } = null!;

    /// <summary>Progress samples of running tasks that were checked against the invariant.</summary>
    public int InvariantSamples { get; private set; }

    /// <summary>Single-task queries the provider has received.</summary>
    public long Polls => Simulator.Sim.Stats().Polls;

    public long Submits => Simulator.Sim.Stats().Submits;

    /// <summary>
    /// A simulator whose image tasks take exactly <paramref name="providerSeconds"/> (running from the start), and the
    /// task actors with exact schedules: prior 10 s, lag target 0.5, floor 1 s, cap 60 s, no jitter.
    /// </summary>
    public static async Task<SteppedTaskActors> StartAsync(double providerSeconds, Action<OrchestratorOptions>? configure = null)
    {
        var options = new OrchestratorOptions
        {
            // A high rate and long-lived permits: the throttle never binds and never needs its own (Akka-scheduled) timers.
            Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", Qps = 1000, JitterAllowanceMs = 1000 } },
            Polling = new PollingOptions { ImagePriorSeconds = 10, LagTarget = 0.5, ImageFloorSeconds = 1, CapSeconds = 60, Jitter = 0 },
            Tasks = new TaskOptions { PassivateAfterSeconds = 86_400 },
            Callbacks = new CallbackOptions { Secret = "stepped-task-actors-callback-secret-0123456789" },
            Results = new ResultOptions { Enabled = false },
        };
        configure?.Invoke(options);
        var rig = new SteppedTaskActors(options);
        options.Storage = new StorageOptions { ConnectionString = rig._dir.SqliteConnectionString() };
        rig.Simulator = await SimulatorServer.StartAsync(
            new SimulatorOptions { ImageMinSeconds = providerSeconds, ImageMaxSeconds = providerSeconds, QueuedFraction = 0 }, rig.Clock, rig.Held);
        options.Providers["simulator"].BaseUrl = rig.Simulator.BaseUrl;
        await rig.StartSystemAsync();
        return rig;
    }

    private async Task StartSystemAsync()
    {
        Actors = await TaskActors.StartAsync(Options, Clock, TestSchedulerConfig, CatchUpReadJournalAsync, $"stepped-{++_systems}");
        System = Actors.System;
        await Actors.Readiness.WhenReady.WaitAsync(Patience);
    }

    private static readonly Config TestSchedulerConfig =
        ConfigurationFactory.ParseString("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"");

    /// <summary>
    /// The read journal learns the journal's highest ordering in the background; a current query that asks before it
    /// knows retries after its refresh interval on the Akka scheduler, which only a test moves. So the catalog's start-up
    /// query could wait for ever. Run one such query first (a start-up step between the journal and the task actors),
    /// moving the scheduler alone, while no task actor exists whose timers that could shift; afterwards the catalog's
    /// query finds the highest ordering known at once.
    /// </summary>
    private static async Task CatchUpReadJournalAsync(ActorSystem system)
    {
        var journal = OrchestratorPersistence.ReadJournal(system);
        var done = journal.CurrentEventsByTag(GenerationTask.JournalTag, Offset.NoOffset()).RunWith(Sink.Ignore<EventEnvelope>(), system.Materializer());
        var deadline = DateTime.UtcNow + Patience;
        while (!done.IsCompleted)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The read journal did not catch up with the journal.");
            ((TestScheduler)system.Scheduler).Advance(TimeSpan.FromMilliseconds(200));
            await Task.WhenAny(done, Task.Delay(10));
        }
        await done;
    }

    /// <summary>The process ends (its actor system stops) and a new one starts on the same journal and clock.</summary>
    public async Task RestartSystemAsync()
    {
        await Actors.DisposeAsync();
        await StartSystemAsync();
    }

    /// <summary>The task's actor throws: its supervisor restarts it.</summary>
    public void KillTaskActor(string id) => System.ActorSelection($"/user/tasks/{id}").Tell(Kill.Instance);

    /// <summary>Moves the orchestrator's and the simulator's clock and the actor system's scheduler by one step.</summary>
    public void Advance(TimeSpan step)
    {
        Clock.Advance(step);
        ((TestScheduler)System.Scheduler).Advance(step);
    }

    public async Task<TaskView> SubmitAsync(GenerationRequest? request = null)
    {
        var view = await Actors.SubmitAsync(request ?? TaskActors.Image());
        await WaitIdleAsync(view.Id);
        return await ViewAsync(view.Id);
    }

    public Task<TaskView> ViewAsync(string id) => Actors.Supervisor.Ask<TaskView>(new GetTask(id), Patience);

    /// <summary>
    /// The task's row once the read model holds its end. The projector follows the journal on the Akka scheduler, which
    /// only a test moves: step both clocks by 200 ms until it is there (an ended task has nothing left to schedule).
    /// </summary>
    public async Task<TaskView> StoredEndAsync(string id)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await Actors.Reads.GetStoredAsync(id, CancellationToken.None) is { } v && v.Status.IsTerminal()) return v;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The read model did not show task {id} ended.");
            Advance(TimeSpan.FromMilliseconds(200));
            await Task.Delay(10);
        }
    }

    public void Tell(ITaskCommand command) => Actors.Supervisor.Tell(command);

    /// <summary>Waits until the task waits on no permit and no call (so on a timer, or nothing once it has ended).</summary>
    public Task<TaskProgress> WaitIdleAsync(string id) => WaitUntilAsync(id, p => !p.AwaitingPermit && !p.CallInFlight, "idle");

    public async Task<TaskProgress> WaitUntilAsync(string id, Func<TaskProgress, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var p = await Actors.ProgressAsync(id);
            CheckInvariant(p);
            if (done(p)) return p;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task {id} not {what} after {Patience}; last seen {p}");
            await Task.Delay(2);
        }
    }

    private void CheckInvariant(TaskProgress p)
    {
        var waits = (p.TimerPending ? 1 : 0) + (p.AwaitingPermit ? 1 : 0) + (p.CallInFlight ? 1 : 0);
        var at = Clock.GetUtcNow() - Start;
        if (p.Status.IsTerminal())
        {
            Assert.True(waits <= 1, $"an ended task waits on {waits} things at +{at.TotalSeconds}s: {p}");
            return;
        }
        InvariantSamples++;
        Assert.True(waits == 1, $"a running task waits on {waits} things at +{at.TotalSeconds}s: {p}");
    }

    /// <summary>
    /// Moves time on in steps of at most <paramref name="maxStep"/> (1 s) until <paramref name="untilSeconds"/> after
    /// <paramref name="t0"/>, or until every task has ended with no poll planned. Every step lands exactly on a planned
    /// poll (after a stop just before it) and waits for the tasks to be idle. Returns when the provider received each
    /// poll, in seconds after <paramref name="t0"/>.
    /// </summary>
    public async Task<List<double>> DriveAsync(IReadOnlyList<string> ids, DateTimeOffset t0, double untilSeconds, TimeSpan? maxStep = null)
    {
        var instants = new List<double>();
        var until = t0 + TimeSpan.FromSeconds(untilSeconds);
        var seen = Polls;
        while (Clock.GetUtcNow() < until)
        {
            var now = Clock.GetUtcNow();
            var views = await Task.WhenAll(ids.Select(ViewAsync));
            if (views.All(v => v.Status.IsTerminal() && v.NextPollAt is null)) break;
            var target = Min(now + (maxStep ?? TimeSpan.FromSeconds(1)), until);
            foreach (var due in views.Select(v => v.NextPollAt).OfType<DateTimeOffset>().Where(d => d > now))
                target = Min(target, due - now > JustBefore ? due - JustBefore : due);
            Advance(target - now);
            foreach (var id in ids) await WaitIdleAsync(id);
            for (var polls = Polls; seen < polls; seen++) instants.Add(Math.Round((Clock.GetUtcNow() - t0).TotalSeconds, 6));
        }
        return instants;
    }

    public Task<List<double>> DriveAsync(TaskView task, double untilSeconds) => DriveAsync([task.Id], task.SubmittedAt!.Value, untilSeconds);

    /// <summary>Seconds from the task's submission to now on the fake clock.</summary>
    public double SecondsSince(TaskView task) => (Clock.GetUtcNow() - task.SubmittedAt!.Value).TotalSeconds;

    /// <summary>The task's journaled events, by type name, in order.</summary>
    public async Task<List<string>> JournalAsync(string id)
    {
        var journal = OrchestratorPersistence.ReadJournal(System);
        var events = await journal.CurrentEventsByPersistenceId(TaskIds.PersistenceId(id), 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), System.Materializer()).WaitAsync(Patience);
        return [.. events.Select(e => e.Event.GetType().Name)];
    }

    /// <summary>A provider callback for the task, as the callback endpoint passes it on once its token checked out.</summary>
    public ProviderCallback Callback(string id, string providerTaskId, ProviderTaskStatus status) =>
        new(id, new ProviderTaskSnapshot(providerTaskId, status, [], null, Clock.GetUtcNow()));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public async ValueTask DisposeAsync()
    {
        Held.Release();
        await Actors.DisposeAsync();
        await Simulator.DisposeAsync();
        _dir.Dispose();
    }
}
