using Orchestrator.Throttling;

namespace Orchestrator.Hosting;

/// <summary>A provider account as <c>GET /v1/providers</c> shows it. Credentials are never part of it.</summary>
/// <param name="Account">The account's name (what a task's <c>provider</c> names).</param>
/// <param name="Type">Its protocol: dmxapi, kling, chanjing or simulator.</param>
/// <param name="Enabled">False when a setting is missing; <paramref name="DisabledReason"/> names it.</param>
/// <param name="DisabledReason">Why the account cannot be used, or null.</param>
/// <param name="BaseUrl">Where its calls go.</param>
/// <param name="Throttle">Its throttle's figures, for enabled accounts.</param>
/// <param name="Polling">Queries per finished task, detection lag (median, p95) and the learned schedules, for enabled accounts.</param>
/// <param name="Models">The models a task may name, by kind (<c>text-to-image</c>, …): the type's documented ones and the account's <c>ExtraModels</c>.</param>
/// <param name="UnfinishedTasks">Its tasks that have not ended; for an account no longer configured, the tasks waiting for it.</param>
public sealed record ProviderAccountStatus(string Account, string Type, bool Enabled, string? DisabledReason, string? BaseUrl, ThrottleStats? Throttle,
    Polling.PollingStats? Polling, IReadOnlyDictionary<string, IReadOnlyList<string>> Models, int UnfinishedTasks = 0);

/// <summary>The answer to <c>GET /v1/providers</c>.</summary>
/// <param name="Accounts">Every configured provider account.</param>
public sealed record ProviderList(IReadOnlyList<ProviderAccountStatus> Accounts);
