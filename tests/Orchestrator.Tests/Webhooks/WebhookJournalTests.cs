using Orchestrator.Persistence;
using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Webhooks;

/// <summary>Webhook events go through the orchestrator's serializer with fixed manifests, and print no secret.</summary>
public sealed class WebhookJournalTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string Secret = WebhookSignature.NewSecret();

    public static TheoryData<object, string> Events() => new()
    {
        { new WebhookEndpointRegistered("wh_1", "https://h.example.com/x", ["task.failed"], Secret, At), "whr1" },
        { new WebhookEndpointDisabled("wh_1", "410 Gone", At), "whd1" },
        { new WebhookEndpointEnabled("wh_1", At), "whe1" },
        { new WebhookEndpointDeleted("wh_1", At), "whx1" },
        { new WebhookTaskSecretCreated(Secret, At), "whts1" },
        { new WebhookEndpointRegistered("wh_1", "https://h.example.com/x", ["*"], null, At, "acme", "CfDJ8-protected"), "whr1" },
        { new WebhookTaskSecretCreated(null, At, "CfDJ8-protected"), "whts1" },
        { new WebhookDeliveryPending("wh_1", "t.4", 12, "t", "task.succeeded", "{\"a\":1}", null, 2, 2, 503, null, At, At.AddSeconds(5)), "wdp1" },
        { new WebhookDeliveryFailed("task-webhooks", "t.4", 12, "t", "task.failed", null, "https://h.example.com/t", 8, null, "timeout", At), "wdf1" },
        { new WebhookDeliverySucceeded("wh_1", "t.4", 3, At), "wds1" },
        { new WebhookDeliveriesReplayed("wh_1", ["t.4", "u.3"], At), "wdr1" },
        { new WebhookOffsetCommitted("wh_1", 99, At), "wdo1" },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Each_event_round_trips_under_its_manifest(object e, string manifest)
    {
        var serializer = new OrchestratorSerializer(null!);
        Assert.Equal(manifest, serializer.Manifest(e));
        var back = serializer.FromBinary(serializer.ToBinary(e), manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(e, e.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
        Assert.DoesNotContain(Secret["whsec_".Length..], e.ToString());
    }

    [Fact]
    public void A_ledger_snapshot_round_trips()
    {
        var serializer = new OrchestratorSerializer(null!);
        var ledger = DeliveryLedger.Empty
            .Apply(new WebhookOffsetCommitted("wh_1", 40, At))
            .Apply(new WebhookDeliveryPending("wh_1", "t.4", 12, "t", "task.succeeded", "{}", null, 1, 1, 500, null, At, At.AddSeconds(5)));
        var snapshot = ledger.ToSnapshot("wh_1");
        var back = (WebhookLedgerSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot));
        var restored = DeliveryLedger.From(back);
        Assert.Equal(40, restored.CommittedOffset);
        Assert.Equal(ledger.Deliveries["t.4"], restored.Deliveries["t.4"]);
    }
}
