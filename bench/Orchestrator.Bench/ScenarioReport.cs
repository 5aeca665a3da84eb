using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Orchestrator.Hosting;

namespace Orchestrator.Bench;

/// <summary>
/// What every issue-20 scenario prints: a header saying which machine and build measured it, then each figure beside its
/// target (<c>end to end: 812 tasks/s (target >= 1,000) MISSED</c>), then one <c>BENCH_JSON</c> line for scripts.
/// </summary>
public static class ScenarioReport
{
    public const double MiB = 1024 * 1024;

    /// <param name="settings">Configuration given with <c>--set</c>: a figure measured with it is not the default's.</param>
    public static void Header(string scenario, string size, string dataDirectory, IReadOnlyList<string>? settings = null)
    {
        Console.WriteLine($"== {scenario} == {size}");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, {Build()} build, .NET {Environment.Version}, load average {LoadAverage()}");
        // A Debug build of the orchestrator is several times slower: its figures say nothing about the targets.
        if (Build() != "Release") Console.WriteLine("  WARNING: not a Release build (run with -c Release); figures are not comparable with the targets");
        Console.WriteLine($"  data in {dataDirectory}");
        if (settings is { Count: > 0 }) Console.WriteLine($"  configuration added with --set: {string.Join(", ", settings.Select(Masked))}");
    }

    /// <summary>The configuration the orchestrator library itself was built in (the bench's own build follows it).</summary>
    public static string Build() =>
        typeof(IOrchestrator).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";

    /// <summary>Prints the figure against a floor; returns whether it was met.</summary>
    public static bool AtLeast(string label, double value, double target, string unit, string format = "N0") =>
        Print(label, value, target, unit, format, ">=", value >= target);

    /// <summary>Prints the figure against a ceiling; returns whether it was met.</summary>
    public static bool AtMost(string label, double value, double target, string unit, string format = "N0") =>
        Print(label, value, target, unit, format, "<=", value <= target);

    /// <summary>A headline figure where no target applies (e.g. on PostgreSQL).</summary>
    public static void NoTarget(string label, string value) => Console.WriteLine($"{label}: {value} (no target)");

    /// <summary>A figure with no target (context for the ones that have one).</summary>
    public static void Figure(string label, string value) => Console.WriteLine($"  {label}: {value}");

    public static void Json(object figures)
    {
        Console.WriteLine();
        Console.WriteLine("BENCH_JSON " + JsonSerializer.Serialize(figures));
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static string Mb(long bytes) => (bytes / MiB).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    /// <summary>A setting as printed: the value of anything that may be a credential is left out.</summary>
    private static string Masked(string setting)
    {
        var key = setting[..setting.IndexOf('=', StringComparison.Ordinal)];
        string[] secret = ["key", "secret", "password", "token"];
        return secret.Any(s => key.Contains(s, StringComparison.OrdinalIgnoreCase)) ? key + "=***" : setting;
    }

    private static bool Print(string label, double value, double target, string unit, string format, string op, bool met)
    {
        var v = double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine($"{label}: {v}{(unit.Length > 0 ? " " + unit : "")} (target {op} {target.ToString(format, CultureInfo.InvariantCulture)}) {(met ? "met" : "MISSED")}");
        return met;
    }
}
