using System.Diagnostics;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// Runs the seeds' Python clients (copies under Relay/Seeds) as a user would: <c>python3 script.py</c> with the settings
/// in the environment. A machine without python3 (or without a module a script imports) skips those tests, saying so.
/// </summary>
internal static class PythonScripts
{
    public sealed record Run(int ExitCode, string Output, string Errors);

    private static readonly Lazy<bool> HasPython = new(() => Probe("import sys") is not null);

    /// <summary>Why a script needing <paramref name="modules"/> cannot run here, or null when it can.</summary>
    public static string? SkipReason(params string[] modules)
    {
        if (!HasPython.Value) return "python3 is not on PATH: the seeds' Python clients cannot run here (.ci/run installs it).";
        foreach (var module in modules)
            if (Probe($"import {module}") is null)
                return $"python3 has no '{module}' module, which the seed imports (.ci/run installs python3-{module}).";
        return null;
    }

    public static async Task<Run> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("python3", [Path.Combine(AppContext.BaseDirectory, "Relay", "Seeds", script)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout}: {await output} {await errors}");
        }
        return new Run(process.ExitCode, await output, await errors);
    }

    private static string? Probe(string code)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("python3", ["-c", code]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.WaitForExit(20_000);
            return p.HasExited && p.ExitCode == 0 ? "" : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>A test that runs a seed's Python client: skipped, saying why, where python3 (or a module it needs) is missing.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute(params string[] modules)
    {
        if (PythonScripts.SkipReason(modules) is { } reason) Skip = reason;
    }
}
