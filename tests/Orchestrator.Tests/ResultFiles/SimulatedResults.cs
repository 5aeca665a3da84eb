using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Hosting;
using Orchestrator.ResultFiles;
using Orchestrator.Tasks;
using Orchestrator.Tests.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ResultFiles;

/// <summary>
/// A simulator on loopback whose tasks succeed on demand (its clock is fake), and the orchestrator's own result
/// services from <c>AddOrchestratorServices</c> storing into a scratch folder. Retries wait milliseconds, on the real clock.
/// </summary>
internal sealed class SimulatedResults : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ServiceProvider _services;

    private SimulatedResults(SimulatorHarness sim, Action<ResultOptions> configure)
    {
        Sim = sim;
        var options = new OrchestratorOptions { Results = { Directory = _dir.Path, RetryBaseSeconds = 0.01 } };
        // The simulator is the provider: downloads from its loopback address are allowed as from a configured account's.
        options.Providers["simulator"] = new ProviderAccountOptions { BaseUrl = sim.Http.BaseAddress!.ToString() };
        configure(options.Results);
        _services = new ServiceCollection().AddOrchestratorServices(options).BuildServiceProvider();
    }

    public SimulatorHarness Sim { get; }
    public string Directory => _dir.Path;
    public ResultRehoster Rehoster => _services.GetRequiredService<ResultRehoster>();
    public IResultStore Store => _services.GetRequiredService<IResultStore>();

    public static async Task<SimulatedResults> StartAsync(Action<ResultOptions>? configure = null) =>
        new(await SimulatorHarness.StartAsync(), configure ?? (_ => { }));

    /// <summary>Creates an image task of <paramref name="n"/> images and a video task, lets both succeed, and returns their result files as one list.</summary>
    public async Task<IReadOnlyList<TaskResult>> SucceededResultsAsync(int n = 2)
    {
        var image = await CreateAsync("/v1/images/generations", SimulatorHarness.Image(n));
        var video = await CreateAsync("/v1/videos/text2video", JsonNode.Parse("""{"model_name":"kling-v1","prompt":"a lantern"}""")!);
        Sim.Clock.Advance(TimeSpan.FromSeconds(10));
        var urls = Sim.Sim.Peek(image)!.ResultUrls().Concat(Sim.Sim.Peek(video)!.ResultUrls());
        return [.. urls.Select((url, i) => new TaskResult(i, url, url.EndsWith(".mp4", StringComparison.Ordinal) ? "video" : "image"))];
    }

    /// <summary>The files in the store's folder for a task (none when the folder is gone).</summary>
    public string[] FilesOf(string taskId)
    {
        var folder = Path.Combine(Directory, taskId);
        return System.IO.Directory.Exists(folder) ? System.IO.Directory.GetFiles(folder) : [];
    }

    private async Task<string> CreateAsync(string path, object body)
    {
        var (status, answer) = await Sim.KlingAsync(HttpMethod.Post, path, body);
        Assert.Equal(200, status);
        return (string)answer["data"]!["task_id"]!;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sim.DisposeAsync();
        _dir.Dispose();
    }
}
