using System.Globalization;
using Orchestrator.Webhooks;

namespace Orchestrator.Cli.Display;

/// <summary>Webhook endpoints and deliveries as one line each.</summary>
public static class WebhookText
{
    /// <summary>"wh_…  https://…  enabled  task.succeeded,task.failed  created 2025-…".</summary>
    public static string Line(WebhookEndpointView e) =>
        $"{e.Id}  {e.Url ?? "(each task's webhookUrl)"}  {(e.Enabled ? "enabled" : $"disabled: {e.DisabledReason}")}  " +
        $"{string.Join(",", e.Events)}  created {e.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}";

    /// <summary>"eventId  task  type  pending  3 attempt(s)  last 500  next 2025-…".</summary>
    public static string DeliveryLine(WebhookDeliveryView d)
    {
        var last = d.LastStatus is { } status ? $"last {status}" : d.LastError is { } error ? $"last error: {error}" : "";
        var next = d.NextAttemptAt is { } at ? $"  next {at.ToString("u", CultureInfo.InvariantCulture)}" : "";
        return $"{d.EventId}  {d.TaskId}  {d.Type}  {d.State}  {d.Attempts} attempt(s)  {last}{next}" + (d.Url is { } url ? $"  → {url}" : "");
    }
}
