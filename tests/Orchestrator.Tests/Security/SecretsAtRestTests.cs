using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Orchestrator.Persistence;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;
using Orchestrator.Webhooks;
using static Orchestrator.Tests.Webhooks.WebhookTestServer;

namespace Orchestrator.Tests.Security;

/// <summary>
/// Webhook secrets taken through the API are journaled encrypted (Data Protection, its key ring beside the database):
/// whoever reads the database file or a backup of it cannot sign deliveries. Deliveries still verify after a restart,
/// and secrets journaled in plain text by earlier versions are still read.
/// </summary>
public sealed class SecretsAtRestTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private Task<OrchestratorServer> StartAsync() => OrchestratorServer.StartAsync(_dir.SqliteConnectionString(), _sim.BaseUrl, AllowPrivate);

    [Fact]
    public async Task The_journal_file_holds_no_webhook_secret_and_deliveries_still_verify_after_a_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        await using var perTask = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        string taskSecret;
        await using (var first = await StartAsync())
        {
            (_, receiver.Secret) = await RegisterAsync(first, receiver.Url, secret: receiver.Secret);
            taskSecret = (await first.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>();
            perTask.Secret = taskSecret;
        }
        SqliteConnection.ClearAllPools();

        foreach (var file in Directory.GetFiles(_dir.Path, "*.db*"))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.False(Holds(bytes, receiver.Secret), $"{Path.GetFileName(file)} holds the endpoint's secret");
            Assert.False(Holds(bytes, taskSecret), $"{Path.GetFileName(file)} holds the generated task-webhook secret");
        }
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dir.Path, "keys"), "key-*.xml"));

        await using var second = await StartAsync();
        Assert.Equal(taskSecret, (await second.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>());
        var tasks = await SubmitAsync(second, 2, "after a restart", perTask.Url);
        await WaitForAllAsync(receiver, tasks);
        await WaitForAllAsync(perTask, tasks);
        Assert.All(receiver.Requests.Concat(perTask.Requests), r => Assert.True(r.SignatureValid, $"request {r.Number} verifies"));
    }

    [Fact]
    public async Task Secrets_an_earlier_version_journaled_in_plain_text_still_sign_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        var taskSecret = WebhookSignature.NewSecret();
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        WriteAsEarlierVersionsDid(
            new WebhookTaskSecretCreated(taskSecret, at),
            new WebhookEndpointRegistered("wh_earlier", receiver.Url, ["*"], receiver.Secret, at));

        await using var server = await StartAsync();
        Assert.Equal(taskSecret, (await server.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>());
        var view = await EndpointAsync(server, "wh_earlier");
        Assert.True(view["enabled"]!.GetValue<bool>());
        var tasks = await SubmitAsync(server, 2, "signed with an earlier secret");
        await WaitForAllAsync(receiver, tasks);
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid, $"request {r.Number} verifies"));
    }

    [Fact]
    public async Task After_the_key_ring_is_lost_an_endpoint_is_shown_disabled_saying_why_and_a_new_task_secret_is_made()
    {
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        string id, taskSecret;
        await using (var first = await StartAsync())
        {
            (id, _) = await RegisterAsync(first, receiver.Url, secret: receiver.Secret);
            taskSecret = (await first.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>();
        }
        Directory.Delete(Path.Combine(_dir.Path, "keys"), recursive: true);

        await using var second = await StartAsync();
        var view = await EndpointAsync(second, id);
        Assert.False(view["enabled"]!.GetValue<bool>());
        Assert.Contains("key ring", view["disabledReason"]!.GetValue<string>());
        // It stays so: enabling cannot bring back a secret nobody can read.
        var enabled = await second.Http.PostAsync($"/v1/webhooks/{id}/enable", null);
        Assert.False((await enabled.Content.ReadFromJsonAsync<JsonNode>())!["enabled"]!.GetValue<bool>());
        var newSecret = (await second.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>();
        Assert.NotEqual(taskSecret, newSecret);
        Assert.True(WebhookSignature.TryParseSecret(newSecret, out _));
        // Registering it again (delete, register) is the way back.
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await second.Http.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        (_, receiver.Secret) = await RegisterAsync(second, receiver.Url, secret: receiver.Secret);
        var tasks = await SubmitAsync(second, 1, "after the key ring was lost");
        await WaitForAllAsync(receiver, tasks);
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
    }

    /// <summary>The secret as it is, or as System.Text.Json writes it inside a JSON string (<c>+</c> as <c>\u002B</c>).</summary>
    internal static bool Holds(byte[] bytes, string secret) =>
        bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0
        || bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(JsonEncodedText.Encode(secret).ToString())) >= 0;

    /// <summary>Writes registry events as versions before encryption did: the secret in plain text in the event.</summary>
    private void WriteAsEarlierVersionsDid(params IWebhookRegistryEvent[] events)
    {
        using var host = new JournalOnlyHost(_dir.SqliteConnectionString());
        var writer = host.System.ActorOf(Props.Create(() => new EarlierRegistryWriter()));
        writer.Ask<Written>(events, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
    }

    private sealed record Written;

    private sealed class EarlierRegistryWriter : ReceivePersistentActor
    {
        public EarlierRegistryWriter()
        {
            JournalPluginId = OrchestratorPersistence.JournalPluginId;
            SnapshotPluginId = OrchestratorPersistence.SnapshotPluginId;
            Command<IWebhookRegistryEvent[]>(events =>
            {
                var sender = Sender;
                PersistAll(events, _ => { });
                DeferAsync(events, _ => sender.Tell(new Written()));
            });
        }

        public override string PersistenceId => WebhookRegistry.RegistryPersistenceId;
    }
}
