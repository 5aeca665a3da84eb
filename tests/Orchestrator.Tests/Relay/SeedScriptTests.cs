using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Simulator;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// The seeds' own client code, run as their users run it, against the relay backed by the simulator: only the host, the
/// scheme and the key differ from the published scripts. The long poll is on, as a relay serving seed 001 needs.
/// </summary>
public sealed partial class SeedScriptTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 1, ImageMaxSeconds = 1.5, VideoMinSeconds = 1, VideoMaxSeconds = 2 })
{
    protected override string[] ServerArgs => [.. Keys.ServerArgs, "--Orchestrator:Relay:HoldQuerySeconds=60"];

    private Dictionary<string, string> Env(string key) => new() { ["RELAY_HOST"] = Server.Http.BaseAddress!.Authority, ["RELAY_API_KEY"] = key };

    [PythonFact]
    public async Task Seed_000_prints_its_image_urls_after_one_query_and_they_download()
    {
        var run = await PythonScripts.RunAsync("seed000_kling_text_to_image.py", Env(Keys.AcmeSubmit), TimeSpan.FromSeconds(90));
        Assert.True(run.ExitCode == 0, run.Errors);
        // The script prints a line each time a query finds the image unfinished: held, the first query has it.
        Assert.DoesNotContain("等待图像生成", run.Output);
        await AssertDownloadAsync(Urls(run.Output), expected: 1);
        // The task is the key's tenant's, as any task it submits.
        var task = Assert.Single((await Server.Orchestrator.ListAsync(new(null, null, 10, null) { Tenant = "acme" })).Items, t => t.Kind == "text-to-image");
        Assert.Equal("dmxapi", task.Metadata!["relay"]);
    }

    [PythonFact]
    public async Task Seed_001_works_unchanged_under_the_long_poll_and_its_video_downloads()
    {
        var run = await PythonScripts.RunAsync("seed001_kling_text_to_video.py", Env(Keys.GlobexSubmit), TimeSpan.FromSeconds(90));
        Assert.True(run.ExitCode == 0, run.Errors);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length); // video_url, then video_id
        await AssertDownloadAsync(Urls(lines[0]), expected: 1);
        Assert.Matches("^[0-9a-f]{32}-0$", lines[1]);
    }

    [PythonFact("requests")]
    public async Task Seed_002_submits_through_the_Chanjing_route_and_its_result_downloads()
    {
        var client = new RelayClient(Server);
        var token = await client.PostAsync("/open/v1/access_token", new { app_id = "acme-app", secret_key = Keys.AcmeSubmit }, authorization: null);
        var accessToken = token.Body["data"]!["access_token"]!.GetValue<string>();

        var run = await PythonScripts.RunAsync("seed002_chanjing_image.py",
            new Dictionary<string, string> { ["RELAY_HOST"] = Server.Http.BaseAddress!.Authority, ["RELAY_ACCESS_TOKEN"] = accessToken }, TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, run.Errors);
        var answer = JsonNode.Parse(run.Output)!;
        Assert.Equal((0, "success"), (answer["code"]!.GetValue<int>(), answer["msg"]!.GetValue<string>()));
        var id = answer["data"]!.GetValue<string>();

        var done = await client.GetAsync($"/open/v1/ai_creation/task?unique_id={id}", null, accessToken); // held until it ends
        Assert.Equal("Success", done.Body["data"]!["progress_desc"]!.GetValue<string>());
        await AssertDownloadAsync(done.Body["data"]!["output_url"]!.AsArray().Select(u => u!.GetValue<string>()).ToList(), expected: 1);
    }

    private static List<string> Urls(string output) => [.. UrlPattern().Matches(output).Select(m => m.Value)];

    /// <summary>Each URL is our stored copy and downloads without any credential, as a provider's result URL does.</summary>
    private static async Task AssertDownloadAsync(IReadOnlyList<string> urls, int expected)
    {
        Assert.Equal(expected, urls.Count);
        using var anonymous = new HttpClient();
        foreach (var url in urls)
        {
            Assert.Contains("/relay/results/", url);
            using var response = await anonymous.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode}");
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [GeneratedRegex(@"https?://[^'""\s\]]+")]
    private static partial Regex UrlPattern();
}

/// <summary>Why the long poll exists: seed 001 as published, against a relay that answers at once.</summary>
public sealed class SeedScriptWithoutHoldTests() : ServerTest(new SimulatorOptions { VideoMinSeconds = 1, VideoMaxSeconds = 2 })
{
    [PythonFact]
    public async Task Seed_001_as_published_crashes_when_its_first_query_finds_the_video_unfinished()
    {
        var run = await PythonScripts.RunAsync("seed001_kling_text_to_video.py",
            new Dictionary<string, string> { ["RELAY_HOST"] = Server.Http.BaseAddress!.Authority, ["RELAY_API_KEY"] = "sk-any" }, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("TypeError: cannot unpack non-iterable NoneType object", run.Errors);
    }
}
