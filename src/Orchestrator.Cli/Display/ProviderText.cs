using System.Globalization;
using Orchestrator.Hosting;

namespace Orchestrator.Cli.Display;

/// <summary>A provider account as one line.</summary>
public static class ProviderText
{
    /// <summary>"simulator  simulator  enabled  qps 50/50  tasks 3/10  queued 0 submits 2 polls  limit answers 0".</summary>
    public static string Line(ProviderAccountStatus a)
    {
        var head = $"{a.Account}  {a.Type}  ";
        if (!a.Enabled) return head + $"disabled: {a.DisabledReason}";
        if (a.Throttle is not { } t) return head + "enabled";
        var concurrency = t.MaxConcurrentTasks is { } max ? $"{t.ConcurrencyInUse}/{max}" : $"{t.ConcurrencyInUse}";
        return head + string.Create(CultureInfo.InvariantCulture,
            $"enabled  qps {t.EffectiveQps:0.##}/{t.ConfiguredQps:0.##}  tasks {concurrency}  queued {t.QueuedSubmits} submits {t.QueuedPolls} polls  " +
            $"limit answers {t.RateLimitAnswers}");
    }
}
