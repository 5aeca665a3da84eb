using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Hosting;
using Orchestrator.Persistence;

namespace Orchestrator.Bench;

/// <summary>What the bare persistent-actor run measured.</summary>
public sealed record BaselineResult(int Tasks, int EventsPerTask, int Completed, double Seconds, long PeakRssBytes)
{
    public double TasksPerSecond => Completed / Seconds;
    public double EventsPerSecond => (double)Completed * EventsPerTask / Seconds;
    public bool AllCompleted => Completed == Tasks;
}

/// <summary>
/// The ceiling the orchestrator is measured against: N brand-new persistent actors, each persisting k
/// tagged events, on the same journal registration (<see cref="OrchestratorPersistenceHosting"/>) in a fresh SQLite file.
/// This is the setup of the write budget table in docs/design.md, so its figure is directly comparable to that table.
/// </summary>
public static class BaselineBench
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <param name="storage">Another journal (e.g. PostgreSQL) instead of a fresh SQLite file in <paramref name="dataDirectory"/>.</param>
    /// <param name="window">At most this many actors at a time (a new one as one finishes), as the orchestrator's run had
    /// tasks in flight; null starts all at once, as the write budget table was measured.</param>
    public static async Task<BaselineResult> RunAsync(int tasks, int eventsPerTask, string dataDirectory, StorageOptions? storage = null, int? window = null)
    {
        storage ??= new StorageOptions { ConnectionString = $"Data Source={Path.Combine(dataDirectory, "baseline.db")}" };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.AddAkka("baseline", (akka, _) => akka
            .AddHocon(ConfigurationFactory.ParseString("akka.stdout-loglevel = WARNING"), HoconAddMode.Prepend)
            .ConfigureLoggers(logging => logging.LogLevel = Akka.Event.LogLevel.WarningLevel)
            .WithOrchestratorPersistence(storage));
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        try
        {
            // One throw-away actor first: the journal creates its tables and opens its connection on first use,
            // and JIT warms up; neither belongs in a per-task figure.
            await SpawnAllAsync(system, 1, eventsPerTask, "warmup-", null);

            await using var rss = RssSampler.Start();
            var clock = Stopwatch.StartNew();
            var completed = await SpawnAllAsync(system, tasks, eventsPerTask, "", window);
            var seconds = clock.Elapsed.TotalSeconds;
            await rss.StopAsync();
            return new BaselineResult(tasks, eventsPerTask, completed, seconds, rss.PeakBytes);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <returns>How many actors finished within the timeout (those whose write failed do not count).</returns>
    private static async Task<int> SpawnAllAsync(ActorSystem system, int count, int eventsPerTask, string namePrefix, int? window)
    {
        // All at once, a run of 16,000 or more queued its first writes longer than the journal's 10 s call timeout: its
        // circuit breaker opened and the run measured nothing.
        using var slots = new SemaphoreSlim(window ?? count);
        var latch = new BaselineLatch(count, () => slots.Release());
        var deadline = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (!await slots.WaitAsync(Timeout - deadline.Elapsed > TimeSpan.Zero ? Timeout - deadline.Elapsed : TimeSpan.Zero)) break;
            // Fresh, globally unique ids, as TaskIds.New mints them.
            var id = namePrefix + Guid.CreateVersion7().ToString("N");
            // Props.Create(Type, args) and not Props.Create(() => new BareActor(..)): the expression form
            // compiles an expression tree per call, ~0.5 ms, which alone would cap the rate near 2,000/s.
            var actor = system.ActorOf(Props.Create(typeof(BareActor), id, eventsPerTask, latch), id);
            actor.Tell(BareActor.Go.Instance);
        }
        var left = Timeout - deadline.Elapsed;
        if (left > TimeSpan.Zero) await Task.WhenAny(latch.Done, Task.Delay(left));
        if (latch.Failed > 0) Console.WriteLine($"  baseline: the journal refused the writes of {latch.Failed:N0} of {count:N0} actors (see the log above)");
        return count - latch.Left - latch.Failed;
    }
}
