using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Webhooks;

/// <summary>Shared steps of the webhook tests: settings, registering an endpoint, submitting tasks, reading deliveries.</summary>
internal static class WebhookTestServer
{
    public const string AllowPrivate = "--Orchestrator:Webhooks:AllowPrivateTargets=true";

    public static string[] Schedule(params double[] seconds) =>
        seconds.Select((s, i) => $"--Orchestrator:Webhooks:RetryScheduleSeconds:{i}={s.ToString(CultureInfo.InvariantCulture)}").ToArray();

    /// <summary>Registers <paramref name="url"/> and returns its id and secret.</summary>
    public static async Task<(string Id, string Secret)> RegisterAsync(OrchestratorServer server, string url, string[]? events = null, string? secret = null)
    {
        var body = new Dictionary<string, object?> { ["url"] = url };
        if (events is not null) body["events"] = events;
        if (secret is not null) body["secret"] = secret;
        var response = await server.Http.PostAsJsonAsync("/v1/webhooks", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        return (json["id"]!.GetValue<string>(), json["secret"]!.GetValue<string>());
    }

    public static async Task<List<string>> SubmitAsync(OrchestratorServer server, int n, string prompt, string? webhookUrl = null)
    {
        var ids = new List<string>();
        for (var i = 0; i < n; i++)
        {
            var request = Requests.Image($"{prompt} {i}");
            if (webhookUrl is not null) request["webhookUrl"] = webhookUrl;
            ids.Add(await server.SubmitForIdAsync(request));
        }
        return ids;
    }

    public static async Task<JsonArray> DeliveriesAsync(OrchestratorServer server, string id, string? state = null) =>
        (await server.Http.GetFromJsonAsync<JsonNode>($"/v1/webhooks/{id}/deliveries" + (state is null ? "" : $"?state={state}")))!["items"]!.AsArray();

    public static async Task<JsonNode> EndpointAsync(OrchestratorServer server, string id) =>
        (await server.Http.GetFromJsonAsync<JsonNode>($"/v1/webhooks/{id}"))!;

    /// <summary>Waits until the receiver has accepted a delivery of every one of <paramref name="taskIds"/>.</summary>
    public static Task WaitForAllAsync(WebhookReceiver receiver, IEnumerable<string> taskIds, int seconds = 60)
    {
        var wanted = taskIds.ToHashSet();
        return Eventually.Until(() => Task.FromResult(receiver.AcceptedTaskIds.ToHashSet()), got => wanted.IsSubsetOf(got), TimeSpan.FromSeconds(seconds),
            $"deliveries of {wanted.Count} tasks (receiver got {receiver.RequestCount} requests)");
    }
}
