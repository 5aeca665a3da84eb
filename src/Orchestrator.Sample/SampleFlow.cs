using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Sample;

/// <summary>What the sample does, as a method so that a test runs exactly the same flow.</summary>
public static class SampleFlow
{
    /// <summary>Code-first options: a simulator account at <paramref name="simulatorUrl"/>, the journal at <paramref name="connectionString"/>.</summary>
    public static OrchestratorOptions Options(string simulatorUrl, string connectionString) => new()
    {
        Storage = { ConnectionString = connectionString },
        Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = simulatorUrl.TrimEnd('/') + "/", Qps = 20 } },
        // The simulator's tasks take seconds: a first poll after 1 s until durations are learned.
        Polling = { ImagePriorSeconds = 1 },
    };

    /// <summary>Submits <paramref name="tasks"/> image tasks, prints each completion as it arrives, returns the final views.</summary>
    public static async Task<IReadOnlyList<TaskView>> RunAsync(IOrchestrator orchestrator, TextWriter output, int tasks, CancellationToken ct)
    {
        await orchestrator.WhenReady.WaitAsync(ct);
        var mine = new HashSet<string>();
        for (var i = 1; i <= tasks; i++)
        {
            var (view, _) = await orchestrator.SubmitAsync(TaskSubmission.TextToImage("simulator", "kling-v1-5", $"a lighthouse at dawn, study {i}") with
            {
                AspectRatio = "16:9",
                Metadata = new Dictionary<string, string> { ["tenant"] = "sample" },
            }, ct);
            mine.Add(view.Id);
            await output.WriteLineAsync($"submitted {view.Id} ({view.Status.WireName()})");
        }

        // The completion stream is durable: reading from offset 0 replays earlier runs too, so keep to this run's tasks.
        var ended = new List<TaskView>();
        await foreach (var completion in orchestrator.CompletionsAsync(0, ct))
        {
            if (!mine.Contains(completion.Task.Id)) continue;
            ended.Add(completion.Task);
            await output.WriteLineAsync($"{completion.Type} {completion.Task.Id} after {completion.Task.Polls} polls");
            foreach (var r in completion.Task.Results)
            {
                // Our stored copy outlives the provider's URL (Kling deletes results after 30 days).
                await using var file = await orchestrator.OpenResultAsync(completion.Task.Id, r.Index, ct);
                await output.WriteLineAsync($"  result {r.Index}: {r.ContentType}, {file?.File.Bytes} bytes, sha256 {r.Sha256}");
            }
            if (ended.Count == mine.Count) break;
        }
        return ended;
    }
}
