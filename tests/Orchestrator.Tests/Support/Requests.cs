namespace Orchestrator.Tests.Support;

public static class Requests
{
    public static Dictionary<string, object?> Image(string prompt = "a kangaroo holding a sign that says DMXAPI", params (string Key, object? Value)[] extra)
    {
        var body = new Dictionary<string, object?>
        {
            ["provider"] = "simulator",
            ["kind"] = "text-to-image",
            ["model"] = "kling-v1-5",
            ["prompt"] = prompt,
        };
        foreach (var (k, v) in extra) body[k] = v;
        return body;
    }
}
