using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Contracts;

/// <summary>
/// The HTTP API's JSON conventions, for the server and its clients alike: camelCase fields, enums in snake case
/// (<c>timed_out</c>), field names matched exactly, numbers as numbers.
/// </summary>
public static class WireJson
{
    /// <summary>Reading and writing the API's documents.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>Applies the conventions to <paramref name="options"/> (ASP.NET's own instance, for one).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        // The web defaults read "2" as 2; a number in quotes is a caller's mistake the API names instead.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
