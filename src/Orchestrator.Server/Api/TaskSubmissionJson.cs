using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// Reads a task request from JSON, for <c>POST /v1/tasks</c> and each batch line alike. Every field whose name is not the
/// API's (with the name that was probably meant: <c>aspect_ratio</c> → <c>aspectRatio</c>) or whose JSON type is wrong
/// (<c>"count": "2"</c>) is named at once, before the validator judges the values.
/// </summary>
public static class TaskSubmissionJson
{
    /// <summary>A request with more wrong fields than this is answered with the first ones only.</summary>
    public const int MaxErrors = 20;

    public static readonly JsonSerializerOptions Options = CreateOptions();

    // Provider wire names and short forms that people carry over from the providers' documents, by normalized name.
    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["duration"] = "durationSeconds", ["videoduration"] = "durationSeconds", ["deadline"] = "deadlineSeconds",
        ["n"] = "count", ["numberofimages"] = "count", ["image"] = "imageUrl", ["refimgurl"] = "imageUrl",
        ["modelname"] = "model", ["modelcode"] = "model", ["refprompt"] = "prompt", ["qualitymode"] = "mode",
        ["callbackurl"] = "webhookUrl", ["callback"] = "webhookUrl", ["webhook"] = "webhookUrl", ["ratio"] = "aspectRatio",
    };

    /// <summary>The request in <paramref name="body"/> (a JSON object), or every field that is wrong with it.</summary>
    public static (TaskSubmission? Submission, IReadOnlyList<FieldError> Errors) Read(JsonElement body)
    {
        var errors = new List<FieldError>();
        try
        {
            Check(body, Options.GetTypeInfo(typeof(TaskSubmission)), "", errors);
            if (errors.Count > 0) return (null, errors);
            return (body.Deserialize<TaskSubmission>(Options), errors);
        }
        catch (JsonException ex)
        {
            // The walk above mirrors the serializer; this is a backstop for a shape it does not foresee.
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, [new FieldError(field, $"Malformed value at {ex.Path}.")]);
        }
        catch (InvalidOperationException ex) when (ApiProblems.IsNotUtf8(ex))
        {
            // The parser checks the JSON's structure, not the bytes of its names and strings: they fail when read.
            return (null, [new FieldError("body", ApiProblems.NotUtf8Message)]);
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(ApiJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        options.MakeReadOnly(populateMissingResolver: true); // the walk below reads the serializer's own contract
        return options;
    }

    private static void Check(JsonElement value, JsonTypeInfo info, string path, List<FieldError> errors)
    {
        if (errors.Count >= MaxErrors) return;
        if (value.ValueKind == JsonValueKind.Null && (!info.Type.IsValueType || Nullable.GetUnderlyingType(info.Type) is not null)) return;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind == JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                {
                    var property = info.Properties.FirstOrDefault(p => p.Name == member.Name);
                    if (property is null) Add(errors, new FieldError(Join(path, member.Name), UnknownField(member.Name, info)));
                    else Check(member.Value, Options.GetTypeInfo(property.PropertyType), Join(path, member.Name), errors);
                }
                return;
            case JsonTypeInfoKind.Dictionary when value.ValueKind == JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                    Check(member.Value, Options.GetTypeInfo(info.ElementType!), Join(path, member.Name), errors);
                return;
            case JsonTypeInfoKind.Enumerable when value.ValueKind == JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                    Check(item, Options.GetTypeInfo(info.ElementType!), $"{path}[{index++}]", errors);
                return;
            case JsonTypeInfoKind.None:
                try
                {
                    value.Deserialize(info);
                    return;
                }
                catch (JsonException) { }
                catch (InvalidOperationException) { }
                break;
        }
        Add(errors, new FieldError(path.Length == 0 ? "body" : path, $"Expected {Expected(info)}, got {Got(value)}."));
    }

    private static void Add(List<FieldError> errors, FieldError error)
    {
        if (errors.Count < MaxErrors) errors.Add(error);
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string UnknownField(string name, JsonTypeInfo info)
    {
        var names = info.Properties.Select(p => p.Name).ToList();
        var key = Normalized(name);
        var meant = names.FirstOrDefault(n => Normalized(n) == key)
            ?? (Aliases.TryGetValue(key, out var alias) && names.Contains(alias) ? alias : null);
        return meant is not null
            ? $"Unknown field '{name}': did you mean '{meant}'? Field names are camelCase."
            : $"Unknown field '{name}'. Known fields: {string.Join(", ", names)}.";
    }

    /// <summary>"aspect_ratio", "Aspect-Ratio" and "aspectRatio" are one name.</summary>
    private static string Normalized(string name) => new string([.. name.Where(char.IsLetterOrDigit)]).ToLowerInvariant();

    private static string Expected(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(int) || type == typeof(long) || type == typeof(short)) return "an integer (a JSON number, not in quotes)";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number (not in quotes)";
        if (type == typeof(bool)) return "true or false";
        return info.Kind switch
        {
            JsonTypeInfoKind.Dictionary => $"an object whose values are {Expected(Options.GetTypeInfo(info.ElementType!))}",
            JsonTypeInfoKind.Enumerable => "an array",
            _ => "an object",
        };
    }

    private static string Got(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        _ => value.GetRawText() is { Length: <= 40 } raw ? raw : "a long number",
    };
}
