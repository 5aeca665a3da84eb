using System.Text;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Providers;

/// <summary>
/// A provider that quotes the credential it was sent in its error: the message a user reads, and everything stored
/// from it, keeps the provider's words but not the credential.
/// </summary>
public sealed class ProviderErrorRedactionTests() : ServerTest(new SimulatorOptions { ApiKey = Canary })
{
    private const string Canary = "canary-3f9a1c7e52b84d06";

    protected override string[] ServerArgs => [$"--Orchestrator:Providers:simulator:ApiKey={Canary}", "--Orchestrator:Tasks:MaxSubmitAttempts=1"];

    [Fact]
    public async Task A_provider_error_quoting_the_api_key_is_stored_and_shown_without_it()
    {
        Sim.Sim.Inject(SimulatedFault.EchoCredentials, 1);

        var id = await Server.SubmitForIdAsync(Requests.Image("a cat"));
        var view = await Server.WaitForEndAsync(id);

        Assert.Equal(TaskLifecycle.Failed, view.Status);
        Assert.Contains("Invalid authorization header", view.Error!.Message);
        Assert.DoesNotContain(Canary, view.Error.Message);
        Assert.Contains("Bearer ***", view.Error.Message);
        // Nothing the server keeps holds it: the journal and read model, WAL included.
        foreach (var file in Directory.GetFiles(Dir.Path, "*.db*"))
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(Encoding.UTF8.GetBytes(Canary)) >= 0, $"{Path.GetFileName(file)} holds the key");
    }

    [Theory]
    [InlineData("Invalid authorization header 'Bearer sk-abcdefghijklmnop1234'", "Invalid authorization header 'Bearer ***'")]
    [InlineData("key sk-abcdefghijklmnop1234 is revoked", "key sk-*** is revoked")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJl expired", "token *** expired")]
    [InlineData("secret hunter2-configured leaked", "secret *** leaked")]
    [InlineData("invalid access_token '4c102c6eea65a648bbd18b86723014d23fcdeee827fc674e'", "invalid access_token '***'")]
    [InlineData("access token: 4c102c6eea65a648bbd18b86723014d2 expired", "access token: *** expired")]
    [InlineData("Chanjing refused the access token request: app_id or secret_key is wrong", "Chanjing refused the access token request: app_id or secret_key is wrong")]
    [InlineData("rate limit exceeded, please slow down", "rate limit exceeded, please slow down")]
    public void Redaction_removes_configured_secrets_and_credential_patterns_and_keeps_the_rest(string message, string expected) =>
        Assert.Equal(expected, new Orchestrator.Providers.CredentialRedactor(["hunter2-configured"]).Redact(message));
}
