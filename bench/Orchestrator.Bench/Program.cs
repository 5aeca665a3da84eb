using System.Globalization;
using Orchestrator.Bench;

// dotnet run -c Release --project bench/Orchestrator.Bench -- --tasks 10000 [--scenario throughput|baseline|throttle|polling|batch]
//     [--in-flight 256] [--k 3] [--data-dir /tmp] [--qps 50] [--seconds 60]
//     [--warmup 200] [--min 5] [--max 60] [--lags 0.2,0.5,1.0] [--sequential] [--seed N] [--csv DIR]   (polling)
//     [--lines 100000] [--wait-seconds 60] [--complete-lines N] [--complete-qps 2000] [--complete-timeout 900]
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
// --data-dir picks where the SQLite files go (e.g. /dev/shm to take fsync out of the figures).
// Exit code: 0 when every task succeeded, 1 when some did not, 2 for bad arguments.

int? tasksArg = null;
var inFlight = 256;
int? k = null;
var scenario = "throughput";
var dataRoot = Path.GetTempPath();
double? qps = null;
var seconds = 60;
var warmup = 200;
double minSeconds = 5, maxSeconds = 60;
double[] lags = [0.2, 0.5, 1.0];
var sequential = false;
int? seed = null;
string? csv = null;
var lines = 100_000;
var waitSeconds = 60;
int? completeLines = null;
var completeQps = 2000;
var completeTimeout = 900;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : null;
        switch (args[i])
        {
            case "--tasks": tasksArg = PositiveInt(args[i], value); i++; break;
            case "--in-flight": inFlight = PositiveInt(args[i], value); i++; break;
            case "--k": k = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--scenario": scenario = value ?? throw new ArgumentException("--scenario needs a value"); i++; break;
            case "--data-dir": dataRoot = value ?? throw new ArgumentException("--data-dir needs a value"); i++; break;
            case "--qps": qps = PositiveInt(args[i], value); i++; break;
            case "--seconds": seconds = Math.Max(10, PositiveInt(args[i], value)); i++; break;
            case "--warmup": warmup = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--min": minSeconds = NonNegative(args[i], value); i++; break;
            case "--max": maxSeconds = NonNegative(args[i], value); i++; break;
            case "--lags": lags = [.. (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => NonNegative("--lags", l))]; i++; break;
            case "--sequential": sequential = true; break;
            case "--seed": seed = PositiveInt(args[i], value, allowZero: true); i++; break;
            case "--csv": csv = value ?? throw new ArgumentException("--csv needs a directory"); i++; break;
            case "--lines": lines = PositiveInt(args[i], value); i++; break;
            case "--wait-seconds": waitSeconds = PositiveInt(args[i], value); i++; break;
            case "--complete-lines": completeLines = PositiveInt(args[i], value); i++; break;
            case "--complete-qps": completeQps = PositiveInt(args[i], value); i++; break;
            case "--complete-timeout": completeTimeout = PositiveInt(args[i], value); i++; break;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }
    if (scenario is not ("throughput" or "baseline" or "throttle" or "polling" or "batch")) throw new ArgumentException($"Unknown scenario '{scenario}' (known: throughput, baseline, throttle, polling, batch).");
    if (minSeconds > maxSeconds) throw new ArgumentException("--min must not exceed --max.");
    if (lags.Length == 0 || lags.Any(l => l <= 0)) throw new ArgumentException("--lags needs positive fractions, e.g. 0.2,0.5,1.0.");
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("usage: Orchestrator.Bench [--tasks N] [--scenario throughput|baseline|throttle|polling|batch] [--in-flight N] [--k EVENTS] [--data-dir DIR] [--qps N] [--seconds N] " +
        "[--warmup N] [--min S] [--max S] [--lags 0.2,0.5,1.0] [--sequential] [--seed N] [--csv DIR] " +
        "[--lines N] [--wait-seconds N] [--complete-lines N] [--complete-qps N] [--complete-timeout SECONDS]");
    return 2;
}

var tasks = tasksArg ?? (scenario == "polling" ? 1_000 : 10_000);

// Both journals live in one fresh temporary directory: no earlier run's rows can make recovery or the tag
// query slower, and nothing is left behind.
var dataDirectory = Path.Combine(dataRoot, "orchestrator-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dataDirectory);
try
{
    // Other processes on a 2-core machine move these figures a lot: say how busy it was when the run began.
    var size = scenario == "batch" ? $"{lines} lines" : $"{tasks} tasks, {inFlight} in flight";
    Console.WriteLine($"Orchestrator bench ({scenario}): {size}, {Environment.ProcessorCount} cores, " +
        $"load average {LoadAverage()}, data in {dataDirectory}");

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
    try { Directory.Delete(dataDirectory, recursive: true); }
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
