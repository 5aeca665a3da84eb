using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Simulator;

/// <summary>Reading request bodies and typed fields the way a strict provider does. A JSON <c>null</c> counts as absent.</summary>
internal static class RequestJson
{
    /// <summary>The body as a JSON object, or null when it is not one.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            // The parser checks structure only: names and strings that are not UTF-8 would fail later, where they are read.
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (!System.Text.Unicode.Utf8.IsValid(bytes.Span)) return null;
            var body = JsonNode.Parse(bytes.Span) as JsonObject;
            // JsonObject indexes its properties lazily; force it so a duplicated key is refused here, not later.
            _ = body?.Count;
            return body;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return null;
        }
    }

    public static bool TryString(JsonNode? node, out string value)
    {
        value = node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : "";
        return node?.GetValueKind() == JsonValueKind.String;
    }

    /// <summary>A JSON number with no fraction that fits an <see cref="int"/>.</summary>
    public static bool TryInt(JsonNode? node, out int value)
    {
        value = 0;
        return node?.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out value);
    }

    public static bool TryNumber(JsonNode? node, out double value)
    {
        value = 0;
        return node?.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out value);
    }

    /// <summary>Absent, or a string from <paramref name="allowed"/>.</summary>
    public static bool IsAbsentOrOneOf(JsonNode? node, params ReadOnlySpan<string> allowed) =>
        node is null || (TryString(node, out var s) && allowed.Contains(s));

    /// <summary>Absent, or a string of at most <paramref name="maxLength"/> characters.</summary>
    public static bool IsAbsentOrString(JsonNode? node, int maxLength = int.MaxValue) =>
        node is null || (TryString(node, out var s) && s.Length <= maxLength);

    /// <summary>Absent, or a number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static bool IsAbsentOrInRange(JsonNode? node, double min, double max) =>
        node is null || (TryNumber(node, out var v) && v >= min && v <= max);
}
