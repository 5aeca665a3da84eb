using Orchestrator.Batches;
using Orchestrator.Cli.Display;
using Orchestrator.Cli.Http;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// Following a batch until every task has ended: drawn live on a terminal, otherwise as plain lines at most every
/// <see cref="PlainLineEvery"/> (a log or CI output should not get one line per poll).
/// </summary>
public static class BatchWaiting
{
    public static readonly TimeSpan PlainLineEvery = TimeSpan.FromSeconds(5);

    /// <summary>The batch's last status, once every task has ended.</summary>
    public static async Task<Answer<BatchView>> UntilEndedAsync(CommandContext ctx, string batchId, double intervalSeconds)
    {
        Answer<BatchView>? last = null;
        async Task<BatchView> PollAsync(Action<BatchView> show)
        {
            while (true)
            {
                last = await ctx.Client.GetBatchAsync(batchId, ctx.Cancel);
                show(last.Value);
                if (last.Value.HasEnded) return last.Value;
                await Task.Delay(TimeSpan.FromSeconds(intervalSeconds), ctx.Cancel);
            }
        }

        try
        {
            if (ctx.Output.Live) await LiveBatchDisplay.RunAsync(ctx.Output.Console.Out, ctx.Output.Console.Colour, PollAsync);
            else
            {
                var lastLine = DateTimeOffset.MinValue;
                await PollAsync(p =>
                {
                    if (!p.HasEnded && DateTimeOffset.UtcNow - lastLine < PlainLineEvery) return;
                    lastLine = DateTimeOffset.UtcNow;
                    ctx.Output.Info(BatchText.ProgressLine(p));
                });
            }
            return last!;
        }
        catch (OperationCanceledException) when (ctx.Cancel.IsCancellationRequested)
        {
            ctx.Output.Warn($"stopped waiting; the batch goes on (orchestrator batch-status {batchId} --wait).");
            throw;
        }
    }

    /// <summary>0 when every accepted task succeeded and no line was rejected, else 2.</summary>
    public static int ExitCodeOf(BatchView ended) =>
        ended.EndedBadly > 0 || ended.Rejected > 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
}
