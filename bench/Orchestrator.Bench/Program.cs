using System.Globalization;
using Orchestrator.Bench;

// dotnet run -c Release --project bench/Orchestrator.Bench -- --scenario <name> [options]
//   scenarios: throughput (default), baseline, throttle, polling, batch, and issue 20's targets: e2e, accept-latency,
//   history-memory, in-flight, restart-ended, restart-unfinished, growth
//   common:     [--tasks N] [--in-flight 256] [--data-dir /tmp] [--qps N] [--seconds 60]
//   throughput/baseline: [--k 3]
//   polling:    [--warmup 200] [--min 5] [--max 60] [--lags 0.2,0.5,1.0] [--sequential] [--seed N] [--csv DIR]
//   batch:      [--lines 100000] [--wait-seconds 60] [--complete-lines N] [--complete-qps 2000] [--complete-timeout 900]
//   issue 20:   [--warmup-seconds N] [--rate 500] [--hold-seconds 60] [--unfinished 1000] [--storage sqlite|postgresql]
//               [--connection CS] [--retention-days D] [--retention-wait 60] [--set Orchestrator:Key=Value]...
//
// "throughput" (default) runs the orchestrator end to end, then a bare persistent-actor baseline with the same
// number of journal writes per task, and reports both: the ratio says how much of the stack's ceiling the design
// leaves. "baseline" runs only the bare actors (k from --k, default 3), to reproduce the write budget table (docs/design.md).
// "throttle" runs an account at --qps against a simulator limited to the same figure for --seconds and reports the
// achieved/limit ratio and limit answers, then the throttle actor's own permits/s with no limit binding.
// "polling" (issue 14) runs, per lag target, a server and simulator with image tasks of --min..--max s: a warm-up wave of
// --warmup tasks, then a measured wave of --tasks (default 1,000) submitted at once; then the same with callbacks on.
// It reports queries per task and p95 detection lag beside the best fixed schedule for the durations drawn. The
// lag-target runs go concurrently unless --sequential; each takes minutes of real time (the tasks last up to --max s).
// --csv DIR writes every task's figures per run (queries, duration, lag, submit delay) for a closer look.
// "batch" (issue 9) streams a --lines JSON Lines upload to the HTTP server: accept rate (durable), peak RSS while the
// batch waits --wait-seconds on an account at --qps (default 20), then, in a fresh journal, --complete-lines (default
// --lines) against a zero-latency simulator with the account at --complete-qps until all end (or --complete-timeout s).
// Issue 20 (each prints its figure beside its target; docs/benchmarks.md describes the method):
// "e2e" feeds image tasks through SubmitManyAsync (--in-flight 2000 in flight) to a zero-time simulator for
//   --warmup-seconds 10 + --seconds 60 and reports ended tasks/s over the --seconds part (target >= 1,000), counts journal
//   rows per finished task, runs the baseline with that many writes per task and prints the ratio (target >= 0.8);
//   --storage postgresql --connection "Host=..." runs it on PostgreSQL (no target).
// "accept-latency" POSTs /v1/tasks open loop at --rate 500/s for --seconds 30 (after --warmup-seconds 60) to the server as a
//   child process; p50/p95/p99 from the scheduled send (target p99 <= 50 ms) and non-2xx answers; the account at --qps 2000.
// "history-memory" runs --tasks 200000 image tasks to the end (RSS read after --tasks/20 and after all, settled with a
//   forced collection); target growth <= 64 MB.
// "in-flight" submits --tasks 100000 hour-long tasks (account at --qps 5000, --in-flight 64 concurrent POSTs) to the server
//   as a child process and holds them --hold-seconds; target peak RSS <= 1 GiB; 503 + Retry-After is retried, 500 a defect.
// "restart-ended" prepares --tasks 200000 ended + --unfinished 1000 unfinished tasks, kills the server and times the new
//   process to /healthz 200 (target <= 3 s). "restart-unfinished" prepares --tasks 100000 unfinished tasks, kills, restarts
//   and times until the simulator saw every task queried again (target <= 60 s), with a histogram of the first queries.
//   Both kill and start the server --restarts 3 times on the one prepared journal and report each start and the median.
// "growth" runs --tasks 10000 image tasks and reports database bytes per finished task by table (target <= 2 KiB);
//   --retention-days D measures again with Orchestrator:Retention:EndedTaskDays=D when the build has it.
// Issue 21's chaos runs (docs/reliability.md): "chaos-kill" runs a batch of --tasks 3000 image tasks over a Kling, a DMXAPI and
//   a Chanjing account while the server is killed --kills 5 times (SIGKILL, seeded moments, --seed 21) and started again;
//   "chaos-faults" runs them through the provider-fault mix with --storm-seconds 30 rate-limit storms and Kling down for
//   --down-seconds 120. Both check every task's end against the simulator's record, duplicates, the QPS limit, /v1/admin/stuck.
// Issue 24's "relay": --tasks 200 seed-style clients submit through the DMXAPI-style relay and poll it every second, the
//   upstream limited to --qps 10 by the provider; images of --min 5 .. --max 20 s here. Upstream calls per task, limit
//   answers, every client's result; then the same clients straight at the provider, for comparison.
// Issue 22's "cluster": --nodes 1..3 server processes in cluster mode on a fresh database of the PostgreSQL server
//   --connection names; --tasks 5000 image tasks POSTed round-robin to a zero-time provider at --qps 500 (end-to-end
//   tasks/s, the throttle's achieved calls/s); with 2+ nodes, 300 hour-long tasks and the last node SIGKILLed: seconds until
//   every task was queried again.
// --set Orchestrator:Key=Value (repeatable) adds configuration to the orchestrator of the issue-20 scenarios.
// Smoke form, a minute or two each: --tasks 2000 --seconds 10 (accept-latency: --seconds 10 --warmup-seconds 2).
// --data-dir picks where the SQLite files go (e.g. /dev/shm to take fsync out of the figures); --keep-data leaves them there.
// Exit code: 0 when every task succeeded (a missed target is printed, not an error), 1 when some did not, 2 for bad arguments.

int? tasksArg = null;
var nodes = 1;
int? k = null;
var scenario = "throughput";
var dataRoot = Path.GetTempPath();
double? qps = null;
int? secondsArg = null;
var warmup = 200;
double minSeconds = 5, maxSeconds = 60;
double? minSecondsArg = null, maxSecondsArg = null;
double[] lags = [0.2, 0.5, 1.0];
var sequential = false;
int? seed = null;
string? csv = null;
var lines = 100_000;
var waitSeconds = 60;
int? completeLines = null;
var completeQps = 2000;
var completeTimeout = 900;
int? inFlightArg = null;
int? warmupSeconds = null;
var rate = 500;
var holdSeconds = 60;
var unfinished = 1_000;
var storageProvider = "Sqlite";
string? connection = null;
double? retentionDays = null;
var retentionWait = 60;
var settings = new List<string>();
var kills = 5;
var restarts = 3;
var keepData = false;
double stormSeconds = 30, downSeconds = 120;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : null;
        switch (args[i])
        {
            case "--tasks": tasksArg = PositiveInt(args[i], value); i++; break;
            case "--in-flight": inFlightArg = PositiveInt(args[i], value); i++; break;
            case "--k": k = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--scenario": scenario = value ?? throw new ArgumentException("--scenario needs a value"); i++; break;
            case "--data-dir": dataRoot = value ?? throw new ArgumentException("--data-dir needs a value"); i++; break;
            case "--qps": qps = PositiveInt(args[i], value); i++; break;
            case "--seconds": secondsArg = Math.Max(10, PositiveInt(args[i], value)); i++; break;
            case "--warmup": warmup = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--min": minSeconds = (minSecondsArg = NonNegative(args[i], value)).Value; i++; break;
            case "--max": maxSeconds = (maxSecondsArg = NonNegative(args[i], value)).Value; i++; break;
            case "--lags": lags = [.. (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => NonNegative("--lags", l))]; i++; break;
            case "--sequential": sequential = true; break;
            case "--seed": seed = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--csv": csv = value ?? throw new ArgumentException("--csv needs a directory"); i++; break;
            case "--lines": lines = PositiveInt(args[i], value); i++; break;
            case "--wait-seconds": waitSeconds = PositiveInt(args[i], value); i++; break;
            case "--complete-lines": completeLines = PositiveInt(args[i], value); i++; break;
            case "--complete-qps": completeQps = PositiveInt(args[i], value); i++; break;
            case "--complete-timeout": completeTimeout = PositiveInt(args[i], value); i++; break;
            case "--warmup-seconds": warmupSeconds = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--rate": rate = PositiveInt(args[i], value); i++; break;
            case "--hold-seconds": holdSeconds = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--unfinished": unfinished = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--storage": storageProvider = (value ?? "").ToLowerInvariant() switch
                {
                    "sqlite" => "Sqlite",
                    "postgresql" or "postgres" => "PostgreSql",
                    _ => throw new ArgumentException("--storage is sqlite or postgresql."),
                }; i++; break;
            case "--connection": connection = value ?? throw new ArgumentException("--connection needs a connection string"); i++; break;
            case "--retention-days": retentionDays = NonNegative(args[i], value); i++; break;
            case "--retention-wait": retentionWait = PositiveInt(args[i], value); i++; break;
            case "--nodes": nodes = PositiveInt(args[i], value); i++; break;
            case "--kills": kills = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--restarts": restarts = PositiveInt(args[i], value); i++; break;
            case "--storm-seconds": stormSeconds = NonNegative(args[i], value); i++; break;
            case "--down-seconds": downSeconds = NonNegative(args[i], value); i++; break;
            case "--keep-data": keepData = true; break;
            case "--set":
                settings.Add(value is { } kv && kv.IndexOf('=', StringComparison.Ordinal) > 0 ? kv : throw new ArgumentException("--set needs Key=Value, e.g. Orchestrator:Results:Enabled=false"));
                i++; break;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }
    string[] known = ["throughput", "baseline", "throttle", "polling", "batch", "relay", "cluster", .. TargetScenarios.Names, .. ChaosBench.Names];
    if (!known.Contains(scenario)) throw new ArgumentException($"Unknown scenario '{scenario}' (known: {string.Join(", ", known)}).");
    if (scenario == "cluster" && connection is null) throw new ArgumentException("--scenario cluster needs --connection (a PostgreSQL server whose user may create databases).");
    if (storageProvider != "Sqlite" && (scenario != "e2e" || connection is null)) throw new ArgumentException("--storage postgresql is for --scenario e2e, with --connection.");
    if (minSeconds > maxSeconds) throw new ArgumentException("--min must not exceed --max.");
    if (lags.Length == 0 || lags.Any(l => l <= 0)) throw new ArgumentException("--lags needs positive fractions, e.g. 0.2,0.5,1.0.");
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("usage: Orchestrator.Bench [--scenario throughput|baseline|throttle|polling|batch|relay|e2e|accept-latency|history-memory|in-flight|" +
        "restart-ended|restart-unfinished|growth|chaos-kill|chaos-faults] [--tasks N] [--in-flight N] [--k EVENTS] [--data-dir DIR] [--keep-data] [--qps N] [--seconds N] " +
        "[--warmup N] [--min S] [--max S] [--lags 0.2,0.5,1.0] [--sequential] [--seed N] [--csv DIR] " +
        "[--lines N] [--wait-seconds N] [--complete-lines N] [--complete-qps N] [--complete-timeout SECONDS] " +
        "[--warmup-seconds N] [--rate N] [--hold-seconds N] [--unfinished N] [--storage sqlite|postgresql] [--connection CS] " +
        "[--retention-days D] [--retention-wait SECONDS] [--set Orchestrator:Key=Value] [--restarts 3] [--kills N] [--storm-seconds S] [--down-seconds S]");
    return 2;
}

var tasks = tasksArg ?? (scenario == "polling" ? 1_000 : 10_000);
var inFlight = inFlightArg ?? 256;
var seconds = secondsArg ?? 60;

// Both journals live in one fresh temporary directory: no earlier run's rows can make recovery or the tag
// query slower, and nothing is left behind.
var dataDirectory = Path.Combine(dataRoot, "orchestrator-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dataDirectory);
try
{
    if (ChaosBench.Names.Contains(scenario)) return await ChaosBench.RunAsync(scenario, tasksArg, kills, seed ?? 21, stormSeconds, downSeconds, dataDirectory);
    if (TargetScenarios.Names.Contains(scenario))
        return await TargetScenarios.RunAsync(scenario, new TargetOptions(tasksArg, secondsArg, warmupSeconds, inFlightArg, qps, rate, holdSeconds, unfinished,
            new StorageChoice(storageProvider, connection), retentionDays, retentionWait, settings, restarts), dataDirectory);

    // Other processes on a 2-core machine move these figures a lot: say how busy it was when the run began.
    var size = scenario == "batch" ? $"{lines} lines" : scenario == "relay" ? $"{tasksArg ?? 200} clients" : $"{tasks} tasks, {inFlight} in flight";
    Console.WriteLine($"Orchestrator bench ({scenario}): {size}, {Environment.ProcessorCount} cores, " +
        $"load average {LoadAverage()}, data in {dataDirectory}");

    if (scenario == "cluster") return await ClusterBench.RunAsync(nodes, tasksArg ?? 5_000, qps ?? 500, connection!, dataDirectory);
    if (scenario == "relay")
        return await RelayBench.RunAsync(tasksArg ?? 200, qps ?? 10, minSecondsArg ?? 5, maxSecondsArg ?? 20, dataDirectory);
    if (scenario == "throttle") return await ThrottleBench.RunAsync(qps ?? 50, seconds, dataDirectory);
    if (scenario == "polling") return await PollingBench.RunAsync(new PollingBenchOptions(warmup, tasks, minSeconds, maxSeconds, lags, sequential, seed, csv), dataDirectory);
    if (scenario == "batch")
        return await BatchBench.RunAsync(lines, qps ?? 20, waitSeconds, completeLines ?? lines, completeQps, completeTimeout, dataDirectory);

    ThroughputResult? run = null;
    if (scenario == "throughput")
    {
        run = await ThroughputBench.RunAsync(tasks, inFlight, dataDirectory);
        Console.WriteLine($"orchestrator: {run.Succeeded}/{tasks} succeeded in {run.EndToEndSeconds:0.00} s");
        // Collect what the orchestrator left so the baseline's RSS and GC pauses are its own.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    // The baseline writes what the orchestrator wrote per task, so the two are compared per durable write.
    var eventsPerTask = k ?? (run is { JournalWrites: > 0 } ? (int)Math.Round(run.WritesPerTask) : 3);
    var baseline = await BaselineBench.RunAsync(tasks, eventsPerTask, dataDirectory);
    Console.WriteLine($"baseline: {baseline.Completed}/{tasks} done in {baseline.Seconds:0.00} s");

    Console.WriteLine($"load average at the end: {LoadAverage()}");
    BenchReport.Print(tasks, inFlight, run, baseline);
    return (run?.AllSucceeded ?? true) && baseline.AllCompleted ? 0 : 1;
}
finally
{
    // --keep-data leaves the files for a look afterwards (e.g. `sqlite3 …/orchestrator.db` and its dbstat table).
    if (keepData) Console.WriteLine($"data kept in {dataDirectory}");
    else try { Directory.Delete(dataDirectory, recursive: true); }
    catch (IOException) { /* a file still held open must not hide the figures */ }
}

static int PositiveInt(string name, string? value, bool allowZero = false) =>
    int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0))
        ? n
        : throw new ArgumentException($"{name} needs a {(allowZero ? "non-negative" : "positive")} integer.");

static double NonNegative(string name, string? value) =>
    double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x >= 0 && double.IsFinite(x)
        ? x
        : throw new ArgumentException($"{name} needs a non-negative number.");

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
