using Microsoft.Playwright;

namespace Orchestrator.Tests.Support;

/// <summary>
/// Headless Chromium for the dashboard's browser tests: Debian's <c>chromium</c> package (<c>/usr/bin/chromium</c>, or
/// the executable <see cref="Variable"/> names), driven by Microsoft.Playwright with <c>ExecutablePath</c>: Playwright's
/// own browser download is never used. Without Chromium the tests are reported skipped, saying why.
/// </summary>
public static class Chromium
{
    public const string Variable = "ORCHESTRATOR_TEST_CHROMIUM";
    private const string DebianPath = "/usr/bin/chromium";

    /// <summary>Where screenshots go: <c>ORCHESTRATOR_TEST_ARTIFACTS</c> (.ci/run sets it beside the test results), else beside the test assembly.</summary>
    public static string ArtifactsDirectory =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_ARTIFACTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>The executable: the variable's value when set (a missing file then fails the test, it is not skipped), else Debian's when installed.</summary>
    public static string? ExecutablePath =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : File.Exists(DebianPath) ? DebianPath : null;

    /// <summary>Why browser tests are skipped, or null when they can run.</summary>
    public static string? SkipReason => ExecutablePath is null
        ? $"Browser tests need Chromium: install Debian's chromium ({DebianPath}) or set {Variable} to its executable; .ci/run installs it"
        : null;

    /// <summary>A headless browser with a new, empty profile (gone when the browser closes).</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var path = ExecutablePath ?? throw new InvalidOperationException(SkipReason);
        if (!File.Exists(path)) throw new FileNotFoundException($"{Variable} names {path}, which does not exist.");
        var playwright = await Playwright.CreateAsync();
        // Root in a container needs --no-sandbox; the rest keeps Chromium off the network it would otherwise call home to.
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return (playwright, browser);
    }
}

/// <summary>A test that drives Chromium: reported as skipped, saying how to enable it, when Chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute() => Skip = Chromium.SkipReason!;
}
