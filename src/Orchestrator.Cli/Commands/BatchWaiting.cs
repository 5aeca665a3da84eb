using Orchestrator.Cli.Display;
using Orchestrator.Cli.Wire;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// Following a batch until every task has ended: drawn live on a terminal, otherwise as plain lines at most every
/// <see cref="PlainLineEvery"/> (a log or CI output should not get one line per poll).
/// </summary>
public static class BatchWaiting
{
    public static readonly TimeSpan PlainLineEvery = TimeSpan.FromSeconds(5);

    public static async Task<BatchProgress> UntilEndedAsync(CommandContext ctx, string batchId, double intervalSeconds)
    {
        async Task<BatchProgress> PollAsync(Action<BatchProgress> show)
        {
            while (true)
            {
                var progress = await ctx.Client.GetBatchAsync(batchId, ctx.Cancel);
                show(progress);
                if (progress.HasEnded) return progress;
                await Task.Delay(TimeSpan.FromSeconds(intervalSeconds), ctx.Cancel);
            }
        }

        try
        {
            if (ctx.Output.Live) return await LiveBatchDisplay.RunAsync(ctx.Output.Console.Out, PollAsync);
            var lastLine = DateTimeOffset.MinValue;
            return await PollAsync(p =>
            {
                if (!p.HasEnded && DateTimeOffset.UtcNow - lastLine < PlainLineEvery) return;
                lastLine = DateTimeOffset.UtcNow;
                ctx.Output.Info(BatchText.ProgressLine(p));
            });
        }
        catch (OperationCanceledException) when (ctx.Cancel.IsCancellationRequested)
        {
            ctx.Output.Warn($"stopped waiting; the batch goes on (orchestrator batch-status {batchId} --wait).");
            throw;
        }
    }

    /// <summary>0 when every accepted task succeeded and no line was rejected, else 2.</summary>
    public static int ExitCodeOf(BatchProgress ended) =>
        ended.EndedBadly > 0 || ended.Rejected > 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
}
