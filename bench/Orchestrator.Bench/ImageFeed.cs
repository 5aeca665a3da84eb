using System.Runtime.CompilerServices;
using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Bench;

/// <summary>What a feed handed over: tasks accepted (durably) and requests rejected, with the first rejection.</summary>
public sealed record FeedResult(int Accepted, int Rejected, string? FirstRejection);

/// <summary>
/// Keeps up to a window of image tasks in flight through <see cref="IOrchestrator.SubmitManyAsync"/>, the embedding API's
/// stream intake (durable, back-pressured): a new request is yielded only when a slot is free, and a slot is freed when a
/// task ends (the caller releases it from a <see cref="CompletionCounter"/>). A closed loop: the orchestrator is kept busy
/// without an unbounded backlog.
/// </summary>
public static class ImageFeed
{
    public const string Model = "kling-v1-5";

    /// <summary>A prompt of a typical length (about 70 characters): what each task stores is part of its cost.</summary>
    public static string Prompt(long i) => $"a watercolour lighthouse at dusk, gulls over the harbour, variation {i}";

    public static TaskSubmission Submission(long i) =>
        new() { Provider = "simulator", Kind = "text-to-image", Model = Model, Prompt = Prompt(i) };

    /// <param name="window">One slot per task in flight; taken before each request, released by the caller when the task ends.</param>
    /// <param name="total">Stop after this many requests; null = until <paramref name="stop"/> says so.</param>
    /// <param name="first">Number of the first request (prompts stay distinct over several feeds).</param>
    public static async Task<FeedResult> RunAsync(IOrchestrator orchestrator, SemaphoreSlim window, int? total, Func<bool> stop,
        long first = 0, CancellationToken ct = default)
    {
        var accepted = 0;
        var rejected = 0;
        string? firstRejection = null;
        await foreach (var result in orchestrator.SubmitManyAsync(Requests(window, total, stop, first, ct), ct))
        {
            if (result.Accepted) { accepted++; continue; }
            rejected++;
            firstRejection ??= string.Join("; ", result.Errors?.Select(e => $"{e.Field}: {e.Message}") ?? []);
            window.Release(); // a rejected request never ends: its slot is free now
        }
        return new FeedResult(accepted, rejected, firstRejection);
    }

    private static async IAsyncEnumerable<TaskSubmission> Requests(SemaphoreSlim window, int? total, Func<bool> stop, long first,
        [EnumeratorCancellation] CancellationToken ct)
    {
        for (var i = 0; total is null || i < total; i++)
        {
            // When no slot is free at once, SubmitManyAsync seals what it has read: tasks start while the feed waits.
            while (!await window.WaitAsync(100, ct))
                if (stop()) yield break;
            if (stop())
            {
                window.Release();
                yield break;
            }
            yield return Submission(first + i);
        }
    }
}
