using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Api;

/// <summary>
/// A submit reached the provider and its answer was lost (a hang past the client timeout, a connection reset after the
/// request was sent). Kling is asked by our external id before sending again; Chanjing cannot be, so its task is sent again
/// and marked <c>possibleDuplicate</c> in the view: never doubled silently.
/// </summary>
public sealed class SubmitAnswerLostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestStore _store = TestStores.Sqlite();
    private SimulatorServer _sim = null!;
    private OrchestratorServer _server = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1, QueuedFraction = 0 });
        _server = await OrchestratorServer.StartAsync(_store, _sim.BaseUrl,
            "--Orchestrator:Tasks:SubmitRetryBaseSeconds=0.1",
            "--Orchestrator:Providers:kling:Type=kling", $"--Orchestrator:Providers:kling:BaseUrl={_sim.BaseUrl}",
            "--Orchestrator:Providers:kling:AccessKey=sim-ak", "--Orchestrator:Providers:kling:SecretKey=sim-sk",
            "--Orchestrator:Providers:kling:RequestTimeoutSeconds=1",
            "--Orchestrator:Providers:chanjing:Type=chanjing", $"--Orchestrator:Providers:chanjing:BaseUrl={_sim.BaseUrl}",
            "--Orchestrator:Providers:chanjing:AppId=sim-app", "--Orchestrator:Providers:chanjing:SecretKey=sim-secret",
            "--Orchestrator:Providers:chanjing:RequestTimeoutSeconds=1");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _sim.DisposeAsync();
        _store.Dispose();
    }

    [Theory]
    [InlineData(SimulatedFault.AcceptThenHang)]
    [InlineData(SimulatedFault.ConnectionReset)]
    public async Task A_chanjing_submit_whose_answer_was_lost_is_sent_again_and_the_task_is_marked_a_possible_duplicate(SimulatedFault fault)
    {
        // A task sent once first: it is not marked.
        var clean = await _server.SubmitForIdAsync(Requests.Image("a clean heron", ("provider", "chanjing"), ("model", "kling-v2-1")));
        await _server.WaitForEndAsync(clean);
        Assert.False(await PossibleDuplicateAsync(clean));

        _sim.Sim.Inject("chanjing", fault, 1);
        var id = await _server.SubmitForIdAsync(Requests.Image("a doubled heron", ("provider", "chanjing"), ("model", "kling-v2-1")));
        var final = await _server.WaitForEndAsync(id);
        var stats = _sim.Sim.Stats("chanjing");
        output.WriteLine($"{fault}: {final.Status}, {final.SubmitAttempts} attempts; the provider saw {stats.Submits} creates, {stats.DuplicateRequests} of them a repeat");

        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Equal(1, stats.DuplicateRequests); // the provider does have it twice...
        Assert.True(await PossibleDuplicateAsync(id), "the task sent again must be marked possibleDuplicate"); // ...and the view says so
    }

    [Fact]
    public async Task A_kling_submit_whose_connection_was_reset_after_it_arrived_is_found_by_its_external_id_and_not_sent_again()
    {
        _sim.Sim.Inject("kling", SimulatedFault.ConnectionReset, 1);
        var id = await _server.SubmitForIdAsync(Requests.Image("a reset heron", ("provider", "kling"), ("model", "kling-v1-5")));
        var final = await _server.WaitForEndAsync(id);
        var stats = _sim.Sim.Stats("kling");
        output.WriteLine($"{final.Status} {final.Error?.Code} {final.Error?.Message}; the provider saw {stats.Submits} creates, {stats.DuplicateExternalIds} naming a known external id");

        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Equal((1, 0), (stats.Submits, stats.DuplicateExternalIds));
        Assert.False(await PossibleDuplicateAsync(id));
    }

    /// <summary>The view's <c>possibleDuplicate</c> as the API writes it (absent reads as false).</summary>
    private async Task<bool> PossibleDuplicateAsync(string id)
    {
        var view = await _server.Http.GetFromJsonAsync<JsonElement>($"/v1/tasks/{id}");
        return view.TryGetProperty("possibleDuplicate", out var flag) && flag.GetBoolean();
    }
}
