using System.Text.Json;
using Orchestrator.Contracts;

namespace Orchestrator.Cli;

/// <summary>
/// The one place that decides what goes to stdout: with <c>--json</c> only JSON documents (one a line), otherwise
/// human text. Messages for people always go to stderr, so stdout stays parseable.
/// </summary>
public sealed class CliOutput(CliConsole console, bool json)
{
    /// <summary>The API's conventions, written for terminals and pipes rather than HTML: "+00:00" and non-ASCII prompts stay readable.</summary>
    public static readonly JsonSerializerOptions JsonLines = new(WireJson.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public CliConsole Console { get; } = console;
    public bool Json { get; } = json;

    /// <summary>Live progress needs a terminal and a person reading it; machines get plain lines.</summary>
    public bool Live => Console.IsTerminal && !Json;

    /// <summary>Writes <paramref name="document"/> as one JSON line with <c>--json</c>, else <paramref name="human"/>.</summary>
    public void Result<T>(T document, Func<string> human)
    {
        if (Json) Console.Out.WriteLine(JsonSerializer.Serialize(document, JsonLines));
        else Console.Out.WriteLine(human());
        Console.Out.Flush();
    }

    /// <summary>Human text on stdout, or on stderr with <c>--json</c> (where stdout holds only JSON).</summary>
    public void Info(string line)
    {
        var writer = Json ? Console.Error : Console.Out;
        writer.WriteLine(line);
        writer.Flush();
    }

    public void Warn(string line) => Console.Error.WriteLine(line);

    public void Fail(string line) => Console.Error.WriteLine("error: " + line);
}
