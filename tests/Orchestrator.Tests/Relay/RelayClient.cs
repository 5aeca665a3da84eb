using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Relay;

/// <summary>A provider-style client of the relay, as the seeds' code calls it: JSON bodies, the provider's headers.</summary>
internal sealed class RelayClient(OrchestratorServer server)
{
    public async Task<(int Status, JsonNode Body)> SendAsync(HttpMethod method, string path, object? body = null,
        string? authorization = null, string? accessToken = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body is string s ? s : System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (accessToken is not null) request.Headers.TryAddWithoutValidation("access_token", accessToken);
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text)!);
    }

    public Task<(int Status, JsonNode Body)> PostAsync(string path, object body, string? authorization = "Bearer any-key", string? accessToken = null) =>
        SendAsync(HttpMethod.Post, path, body, authorization, accessToken);

    public Task<(int Status, JsonNode Body)> GetAsync(string path, string? authorization = "Bearer any-key", string? accessToken = null) =>
        SendAsync(HttpMethod.Get, path, null, authorization, accessToken);

    /// <summary>Polls a Kling-style query until the task ends; returns its last answer.</summary>
    public Task<(int Status, JsonNode Body)> KlingUntilEndedAsync(string path, string? authorization = "Bearer any-key") =>
        Eventually.Until(() => GetAsync(path, authorization), a => a.Body["data"]?["task_status"]?.GetValue<string>() is "succeed" or "failed",
            TimeSpan.FromSeconds(60), $"{path} to end");

    /// <summary>Polls a Chanjing-style query until the task ends.</summary>
    public Task<(int Status, JsonNode Body)> ChanjingUntilEndedAsync(string id, string accessToken) =>
        Eventually.Until(() => GetAsync($"/open/v1/ai_creation/task?unique_id={id}", null, accessToken),
            a => a.Body["data"]?["progress_desc"]?.GetValue<string>() is "Success" or "Error", TimeSpan.FromSeconds(60), $"{id} to end");

    /// <summary>An HS256 JWT as Kling's docs sign it: <c>iss</c>, <c>exp</c> = now + 1800 s, <c>nbf</c> = now − 5 s.</summary>
    public static string Jwt(string issuer, string secret, DateTimeOffset? now = null, int expiresIn = 1800)
    {
        var t = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var head = B64(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var claims = B64(Encoding.UTF8.GetBytes($"{{\"iss\":\"{issuer}\",\"exp\":{t + expiresIn},\"nbf\":{t - 5}}}"));
        var signature = B64(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(head + "." + claims)));
        return $"Bearer {head}.{claims}.{signature}";
    }
}

/// <summary>
/// A JSON answer's shape: every property name with the kind of its value, objects by sorted names, an array by its first
/// item. Two answers with the same shape are interchangeable for a client that reads them.
/// </summary>
internal static class JsonShape
{
    public static string Of(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Of(p.Value)}")) + "}",
        JsonArray a => a.Count == 0 ? "[]" : "[" + Of(a[0]) + "]",
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "string",
            System.Text.Json.JsonValueKind.Number => "number",
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "bool",
            _ => "null",
        },
        _ => "?",
    };
}
