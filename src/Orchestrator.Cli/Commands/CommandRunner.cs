using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Http;

namespace Orchestrator.Cli.Commands;

/// <summary>What a command body gets: its parsed arguments, where to write, and a client for the server.</summary>
public sealed record CommandContext(ParseResult Parse, CliOutput Output, OrchestratorClient Client, CancellationToken Cancel)
{
    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;
    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;
}

/// <summary>A command's own refusal of its input (a missing file, a malformed flag value): exit 1 with this message.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Runs a command body and turns every expected failure into a message on stderr and exit code 1, so no command
/// prints a stack trace for an unreachable server or a 400.
/// </summary>
public static class CommandRunner
{
    public static Func<ParseResult, CancellationToken, Task<int>> Run(GlobalOptions global, Func<CommandContext, Task<int>> body) =>
        async (parse, ct) =>
        {
            var output = new CliOutput(global.Console, parse.GetValue(global.Json));
            var serverText = parse.GetValue(global.Server)!;
            if (!TryServerUri(serverText, out var server))
            {
                output.Fail($"--server '{serverText}' is not an http(s) URL.");
                return ExitCodes.Error;
            }
            using var client = new OrchestratorClient(server, parse.GetValue(global.ApiKey));
            try
            {
                return await body(new CommandContext(parse, output, client, ct));
            }
            catch (ApiException ex)
            {
                output.Fail(ex.Message);
                foreach (var (field, messages) in ex.Problem?.Errors ?? [])
                    foreach (var message in messages)
                        output.Console.Error.WriteLine($"  {field}: {message}");
                return ExitCodes.Error;
            }
            catch (HttpRequestException ex)
            {
                output.Fail($"cannot reach the server at {server}: {ex.Message}");
                return ExitCodes.Error;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                output.Warn("interrupted.");
                return ExitCodes.Error;
            }
            catch (OperationCanceledException)
            {
                output.Fail($"the server at {server} did not answer in time.");
                return ExitCodes.Error;
            }
            catch (Exception ex) when (ex is UsageException or IOException or UnauthorizedAccessException)
            {
                output.Fail(ex.Message);
                return ExitCodes.Error;
            }
            catch (JsonException ex)
            {
                output.Fail($"unexpected answer from the server: {ex.Message}");
                return ExitCodes.Error;
            }
        };

    private static bool TryServerUri(string text, out Uri server)
    {
        // A trailing slash makes relative paths ("v1/tasks") resolve under a base that has a path of its own.
        var ok = Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri)
                 && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        server = uri!;
        return ok;
    }
}
