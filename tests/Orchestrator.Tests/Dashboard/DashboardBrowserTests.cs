using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Tests.Dashboard;

/// <summary>
/// The dashboard at <c>/</c> in headless Chromium against the real server: what an operator sees and clicks. Screenshots
/// of each step go to <see cref="Chromium.ArtifactsDirectory"/>/dashboard.
/// </summary>
public sealed class DashboardBrowserTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1.5, VideoMinSeconds = 120, VideoMaxSeconds = 150 })
{
    private static readonly float Wait = 60_000;

    private static string Line(int i, string tenant = "acme") =>
        JsonSerializer.Serialize(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"a lighthouse at dusk, take {i}", metadata = new { tenant } });

    private async Task<string> UploadAsync(IEnumerable<string> lines)
    {
        var response = await Server.Http.PostAsync("/v1/batches", new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/x-ndjson"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
    }

    private static ILocator BatchRow(IPage page, string batchId) => page.Locator($"[data-testid=batch-row][data-batch-id='{batchId}']");

    [ChromiumFact]
    public async Task An_operator_watches_a_batch_finish_sees_a_result_cancels_a_running_task_and_retries_a_failed_line()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        page.SetDefaultTimeout(Wait);
        var shots = new Screenshots(page, nameof(An_operator_watches_a_batch_finish_sees_a_result_cancels_a_running_task_and_retries_a_failed_line));
        await page.GotoAsync(Server.Http.BaseAddress!.ToString());
        await Expect(page.GetByTestId("live-status")).ToHaveTextAsync("live", new() { Timeout = Wait });

        // A batch submitted through the API: its progress bar and the counts reach 100% on the page.
        var batch = await UploadAsync(Enumerable.Range(1, 6).Select(i => Line(i)));
        var row = BatchRow(page, batch);
        await Expect(row.GetByTestId("batch-percent")).ToHaveTextAsync("100%", new() { Timeout = Wait });
        await Expect(row.GetByTestId("batch-bar")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(row.GetByTestId("batch-counts")).ToContainTextAsync("6 succeeded");
        await Expect(page.GetByTestId("count-succeeded").Locator(".n")).ToHaveTextAsync("6", new() { Timeout = Wait });
        await shots.TakeAsync("batch-done");

        // Its tasks, one opened: the stored copy of its image loads.
        await row.GetByTestId("batch-tasks").ClickAsync();
        await Expect(page.GetByTestId("task-row")).ToHaveCountAsync(6, new() { Timeout = Wait });
        await page.GetByTestId("task-row").First.ClickAsync();
        var drawer = page.GetByTestId("task-drawer");
        await Expect(drawer.GetByTestId("drawer-status")).ToHaveTextAsync("succeeded");
        var image = drawer.GetByTestId("result-image").First;
        await image.WaitForAsync();
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=result-image]'); return i && i.complete && i.naturalWidth > 0; }",
            null, new() { Timeout = Wait });
        await Expect(drawer.Locator("[data-testid=timeline-entry][data-event=poll]").First).ToBeVisibleAsync();
        await Expect(drawer.Locator("[data-testid=timeline-entry]").Last).ToHaveAttributeAsync("data-event", "succeeded");
        await shots.TakeAsync("task-with-image");
        await drawer.GetByTestId("drawer-close").ClickAsync();

        // A running video (two minutes at the simulator), found by its id and cancelled from its page.
        var video = await Server.SubmitForIdAsync(new { provider = "simulator", kind = "text-to-video", model = "kling-v1-6", prompt = "waves", durationSeconds = 5 });
        await page.GetByTestId("task-search").FillAsync(video);
        await page.GetByTestId("task-search").PressAsync("Enter");
        await Expect(drawer.GetByTestId("drawer-task-id")).ToHaveTextAsync(video);
        var cancel = drawer.GetByTestId("drawer-cancel");
        await cancel.ClickAsync();
        await cancel.ClickAsync(); // the second click confirms
        await Expect(drawer.GetByTestId("drawer-status")).ToHaveTextAsync("cancelled", new() { Timeout = Wait });
        Assert.Equal(TaskLifecycle.Cancelled, (await Server.GetAsync(video)).Status);
        await shots.TakeAsync("task-cancelled");
        await drawer.GetByTestId("drawer-close").ClickAsync();

        // A batch whose lines fail; once the provider works again, one click retries them as a new batch that succeeds.
        SimOptions.FailureRate = 1;
        var failing = await UploadAsync(Enumerable.Range(1, 2).Select(i => Line(i, "globex")));
        var failingRow = BatchRow(page, failing);
        await Expect(failingRow.GetByTestId("batch-counts")).ToContainTextAsync("2 failed", new() { Timeout = Wait });
        SimOptions.FailureRate = 0;
        await shots.TakeAsync("batch-failed");
        await failingRow.GetByTestId("batch-retry").ClickAsync();
        var retryRow = page.Locator("[data-testid=batch-row]", new() { Has = page.GetByTestId("batch-retry-of") });
        await Expect(retryRow.GetByTestId("batch-percent")).ToHaveTextAsync("100%", new() { Timeout = Wait });
        await Expect(retryRow.GetByTestId("batch-counts")).ToContainTextAsync("2 succeeded");
        await Expect(failingRow.GetByTestId("batch-retries")).ToBeVisibleAsync();
        var original = await Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{failing}");
        var retryId = Assert.Single(original.GetProperty("retries").EnumerateArray()).GetString();
        Assert.Equal(retryId, await retryRow.GetAttributeAsync("data-batch-id"));
        await shots.TakeAsync("batch-retried");
    }

    [ChromiumFact]
    public async Task The_page_asks_for_the_api_key_when_the_server_requires_one_and_sends_it()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(Wait);
        var shots = new Screenshots(page, nameof(The_page_asks_for_the_api_key_when_the_server_requires_one_and_sends_it));
        await using var secured = await OrchestratorServer.StartAsync(Store.Dir.SqliteConnectionString("secured.db"), Sim.BaseUrl,
            "--Orchestrator:ApiKeys:0:Name=ops", $"--Orchestrator:ApiKeys:0:Key={OpsKey}", "--Orchestrator:ApiKeys:0:Role=admin");
        secured.Http.DefaultRequestHeaders.Authorization = new("Bearer", OpsKey);
        var id = await secured.SubmitForIdAsync(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = "behind a key" });
        await secured.WaitForEndAsync(id);

        await page.GotoAsync(secured.Http.BaseAddress!.ToString());
        var dialog = page.GetByTestId("key-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await shots.TakeAsync("asks-for-key");
        await page.GetByTestId("key-input").FillAsync(OpsKey);
        await page.GetByTestId("key-submit").ClickAsync();

        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.Locator($"[data-testid=task-row][data-task-id='{id}']")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("live-status")).ToHaveTextAsync("live");
        // Its stored image needs the key too: fetched with it, not by a bare <img src>.
        await page.Locator($"[data-testid=task-row][data-task-id='{id}']").ClickAsync();
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=result-image]'); return i && i.complete && i.naturalWidth > 0; }",
            null, new() { Timeout = Wait });
        await shots.TakeAsync("with-key");
    }

    private const string OpsKey = "dashboard-test-key-0123456789";

    /// <summary>Numbered full-page screenshots of one test, kept as artifacts (never committed).</summary>
    private sealed class Screenshots(IPage page, string test)
    {
        private int _n;

        public async Task TakeAsync(string step)
        {
            var dir = Path.Combine(Chromium.ArtifactsDirectory, "dashboard");
            Directory.CreateDirectory(dir);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, $"{test}-{++_n:00}-{step}.png"), FullPage = true });
        }
    }
}
