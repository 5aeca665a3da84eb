using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cli;

/// <summary><c>submit</c>, <c>get</c> and errors: exit codes, and stdout holding only JSON with <c>--json</c>.</summary>
[Collection(CliCollection.Name)]
public sealed class CliTaskTests(CliServer cli)
{
    private static readonly string[] ImageTask = ["--provider", "simulator", "--kind", "text-to-image", "--model", "kling-v1-5"];

    [Fact]
    public async Task Submit_wait_json_prints_one_final_view_that_succeeded_and_exits_0()
    {
        var run = await cli.RunAsync(["submit", .. ImageTask, "--prompt", "a lighthouse", "--count", "2",
            "--metadata", "tenant=cli-submit", "--metadata", "order=42", "--wait", "--poll-interval", "0.2", "--json"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var view = Assert.Single(run.JsonLines);
        Assert.Equal("succeeded", view.GetProperty("status").GetString());
        Assert.Equal(2, view.GetProperty("results").GetArrayLength());
        Assert.Equal("42", view.GetProperty("metadata").GetProperty("order").GetString());
        // Fields the CLI does not model are passed through, not dropped.
        Assert.True(view.TryGetProperty("submitAttempts", out _), run.Out);
        Assert.Contains("waiting", run.Error);
    }

    [Fact]
    public async Task Submit_without_wait_exits_0_once_accepted_and_get_shows_the_task()
    {
        var submitted = await cli.RunAsync(["submit", .. ImageTask, "--prompt", "accepted only", "--json"]);
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var id = Assert.Single(submitted.JsonLines).GetProperty("id").GetString()!;

        var got = await cli.RunAsync(["get", id]);
        Assert.True(got.ExitCode == 0, got.ToString());
        Assert.Contains($"task {id}", got.Out);
        Assert.Contains("simulator text-to-image kling-v1-5", got.Out);
    }

    [Fact]
    public async Task Result_urls_are_printed_absolute_by_submit_wait_get_and_their_json()
    {
        var submitted = await cli.RunAsync(["submit", .. ImageTask, "--prompt", "absolute", "--wait", "--poll-interval", "0.2"]);
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var id = submitted.OutLines[0].Split(' ')[1];
        var stored = $"{cli.Url.TrimEnd('/')}/v1/tasks/{id}/results/0";
        Assert.Contains(stored, submitted.Out);

        var got = await cli.RunAsync("get", id);
        Assert.Contains($"result 0: image {stored}", got.Out);
        var json = await cli.RunAsync("get", id, "--json");
        Assert.Equal(stored, Assert.Single(json.JsonLines).GetProperty("results")[0].GetProperty("storedUrl").GetString());
    }

    [Fact]
    public async Task Cancel_ends_a_running_task_and_a_second_cancel_exits_1_with_the_409()
    {
        // A video runs for seconds in the simulator: it is still running when cancelled.
        var submitted = await cli.RunAsync("submit", "--provider", "simulator", "--kind", "text-to-video", "--model", "kling-v1-6",
            "--prompt", "cancel me", "--duration-seconds", "5", "--json");
        var id = Assert.Single(submitted.JsonLines).GetProperty("id").GetString()!;

        var cancelled = await cli.RunAsync("cancel", id);
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        Assert.Contains($"task {id}  cancelled", cancelled.Out);

        var again = await cli.RunAsync("cancel", id, "--json");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("", again.Out);
        Assert.Contains("409", again.Error);
    }

    [Fact]
    public async Task List_pages_through_tasks_newest_first_with_a_hint_for_the_next_page()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var run = await cli.RunAsync(["submit", .. ImageTask, "--prompt", $"listed {i}", "--json"]);
            ids.Add(Assert.Single(run.JsonLines).GetProperty("id").GetString()!);
        }

        var first = await cli.RunAsync("list", "--limit", "2", "--provider", "simulator");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.StartsWith(ids[2], first.OutLines[0]);
        Assert.StartsWith(ids[1], first.OutLines[1]);
        Assert.Contains($"orchestrator list --limit 2 --provider simulator --after {ids[1]}", first.Out);

        var next = await cli.RunAsync("list", "--limit", "2", "--provider", "simulator", "--after", ids[1], "--json");
        Assert.True(next.ExitCode == 0, next.ToString());
        var page = Assert.Single(next.JsonLines);
        Assert.Equal(ids[0], page.GetProperty("items")[0].GetProperty("id").GetString());

        var refused = await cli.RunAsync("list", "--status", "sleeping");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("status", refused.Error);
    }

    [Fact]
    public async Task Providers_shows_every_account_and_its_throttle()
    {
        var human = await cli.RunAsync("providers");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains(human.OutLines, l => l.StartsWith("simulator") && l.Contains("enabled") && l.Contains("qps"));

        var json = await cli.RunAsync("providers", "--json");
        var accounts = Assert.Single(json.JsonLines).GetProperty("accounts").EnumerateArray().ToList();
        Assert.Contains(accounts, a => a.GetProperty("account").GetString() == "simulator" && a.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Health_exits_0_when_ready_and_1_when_the_server_is_not_there()
    {
        var ready = await cli.RunAsync("health");
        Assert.True(ready.ExitCode == 0, ready.ToString());
        Assert.Contains("ready", ready.Out);
        var json = await cli.RunAsync("health", "--json");
        Assert.Equal("ready", Assert.Single(json.JsonLines).GetProperty("status").GetString());

        var gone = await CliRun.RunAsync(["--server", $"http://127.0.0.1:{ServerProcess.FreePort()}", "health"]);
        Assert.Equal(1, gone.ExitCode);
    }

    [Fact]
    public async Task Submit_refused_by_the_server_exits_1_and_stderr_names_the_field()
    {
        var run = await cli.RunAsync(["submit", .. ImageTask, "--prompt", "too many", "--count", "20", "--json"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Contains("400", run.Error);
        Assert.Contains("count:", run.Error);
    }

    [Fact]
    public async Task A_malformed_flag_is_a_usage_error_exit_1_without_help_on_stdout()
    {
        var notANumber = await cli.RunAsync(["submit", .. ImageTask, "--prompt", "x", "--count", "two", "--json"]);
        Assert.Equal(1, notANumber.ExitCode);
        Assert.Equal("", notANumber.Out);
        Assert.Contains("two", notANumber.Error);

        var badPair = await cli.RunAsync(["submit", .. ImageTask, "--prompt", "x", "--metadata", "tenant"]);
        Assert.Equal(1, badPair.ExitCode);
        Assert.Contains("key=value", badPair.Error);

        var badCamera = await cli.RunAsync("submit", "--provider", "simulator", "--kind", "text-to-video", "--model", "kling-v1-6",
            "--prompt", "x", "--camera-control", """{"type":"simple","confg":{"zoom":5}}""");
        Assert.Equal(1, badCamera.ExitCode);
        Assert.Contains("--camera-control", badCamera.Error);
        Assert.Contains("confg", badCamera.Error);
    }

    [Fact]
    public async Task Every_video_flag_reaches_the_server_under_its_field_name()
    {
        var run = await cli.RunAsync("submit", "--provider", "simulator", "--kind", "text-to-video", "--model", "kling-v1-6",
            "--prompt", "a slow zoom", "--negative-prompt", "people", "--aspect-ratio", "16:9", "--duration-seconds", "5",
            "--mode", "pro", "--cfg-scale", "0.5", "--camera-control", """{"type":"simple","config":{"zoom":5}}""",
            "--deadline-seconds", "600", "--idempotency-key", $"cli-video-{Guid.NewGuid():N}", "--metadata", "tenant=cli", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var view = Assert.Single(run.JsonLines);
        Assert.Equal("text-to-video", view.GetProperty("kind").GetString());
        Assert.Equal("cli", view.GetProperty("metadata").GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task Get_of_an_unknown_task_exits_1_with_the_404_on_stderr()
    {
        var run = await cli.RunAsync("get", new string('a', 32), "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Contains("404", run.Error);
    }

    [Fact]
    public async Task An_unreachable_server_exits_1()
    {
        var run = await CliRun.RunAsync(["--server", $"http://127.0.0.1:{ServerProcess.FreePort()}", "get", "x"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cannot reach the server", run.Error);
    }

    [Fact]
    public async Task Help_documents_the_exit_codes()
    {
        var run = await CliRun.RunAsync(["--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("0 success", run.Out);
        Assert.Contains("2 partial failure", run.Out);
        Assert.Contains("1 error", run.Out);
    }
}
