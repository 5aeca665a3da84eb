using System.Text.Json;

namespace Orchestrator.Cli.Wire;

/// <summary>The server's JSON conventions (camelCase fields, snake_case statuses kept as strings).</summary>
public static class WireJson
{
    /// <summary>Reading and re-writing server documents; re-written documents are compact, one per line.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Output goes to terminals and pipes, never into HTML: keep "+00:00" and non-ASCII prompts readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One JSON document on one line, as <c>--json</c> prints it.</summary>
    public static string Line<T>(T value) => JsonSerializer.Serialize(value, Options);
}
