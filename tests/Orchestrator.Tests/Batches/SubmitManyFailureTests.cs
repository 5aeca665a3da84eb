using System.Runtime.CompilerServices;
using Orchestrator.Batches;
using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Batches;

public sealed class SubmitManyFailureTests
{
    private static readonly ProviderDirectory Providers = new(new OrchestratorOptions
    {
        Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = "http://127.0.0.1:1/" } },
    });

    [Fact]
    public async Task A_failure_to_store_while_the_next_request_is_being_read_reaches_the_caller_and_stops_the_reading()
    {
        // The journal refuses the first chunk; by then SubmitManyAsync is already reading the next request, which the
        // source holds back (as a feed waiting for a free slot does).
        var intake = new BatchIntake(new TaskValidator(Providers), _ => throw new InvalidOperationException("not reached"),
            admit: () => throw new JournalUnavailableException("Journal unavailable", TimeSpan.FromSeconds(5)));
        var readingStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var failure = await Record.ExceptionAsync(async () =>
        {
            await foreach (var _ in intake.SubmitManyAsync(OneThenWait(readingStopped), CancellationToken.None)) { }
        });

        // Before: NotSupportedException from disposing the source mid-read, and the journal's answer was lost.
        Assert.IsType<JournalUnavailableException>(failure);
        await readingStopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async IAsyncEnumerable<TaskSubmission> OneThenWait(TaskCompletionSource stopped, [EnumeratorCancellation] CancellationToken ct = default)
    {
        yield return new TaskSubmission { Provider = "simulator", Kind = "text-to-image", Model = "kling-v1-5", Prompt = "a lantern" };
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        finally
        {
            stopped.TrySetResult();
        }
    }
}
