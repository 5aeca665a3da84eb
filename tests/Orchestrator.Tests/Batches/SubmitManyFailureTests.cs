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

    [Fact]
    public async Task A_batch_write_the_journal_does_not_confirm_in_time_is_the_journals_answer_not_an_ask_timeout()
    {
        using var system = Akka.Actor.ActorSystem.Create("silent-journal");
        // The batch directory takes the write and never confirms it, as when the journal's writes stall.
        var silent = system.ActorOf(Akka.TestKit.TestActors.BlackHoleActor.Props);
        var intake = new BatchIntake(new TaskValidator(Providers), _ => Task.FromResult(silent), askTimeout: TimeSpan.FromMilliseconds(300));

        var failure = await Record.ExceptionAsync(async () =>
        {
            await foreach (var _ in intake.SubmitManyAsync(Two(), CancellationToken.None)) { }
        });

        // Before: Akka's AskTimeoutException, which the embedding API does not document and the HTTP API guessed at.
        var unavailable = Assert.IsType<JournalUnavailableException>(failure);
        Assert.Equal(TimeSpan.FromSeconds(5), unavailable.RetryAfter);
        Assert.Contains("did not confirm", unavailable.Message);
    }

    private static async IAsyncEnumerable<TaskSubmission> Two()
    {
        yield return new TaskSubmission { Provider = "simulator", Kind = "text-to-image", Model = "kling-v1-5", Prompt = "a lantern" };
        yield return new TaskSubmission { Provider = "simulator", Kind = "text-to-image", Model = "kling-v1-5", Prompt = "a kite" };
        await Task.CompletedTask;
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
