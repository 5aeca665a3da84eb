using System.Text;
using Orchestrator.Persistence;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// Every journal holds accepted requests as earlier versions wrote them. The request a caller sends is its own record
/// (<see cref="TaskSubmission"/>), so the journaled one (<see cref="GenerationRequest"/>) keeps its shape whatever the API's does.
/// </summary>
public sealed class JournaledRequestTests
{
    // A TaskAccepted ("ta1") as versions before the one request record wrote it, every field set.
    private const string Written = """
        {"taskId":"0123456789abcdef0123456789abcdef","request":{"provider":"kling","kind":"text_to_video","model":"kling-v1-6","prompt":"waves at dusk","negativePrompt":"people","aspectRatio":"16:9","durationSeconds":10,"mode":"pro","cfgScale":0.5,"cameraControl":{"type":"simple","config":{"horizontal":0,"vertical":0,"pan":0,"tilt":0,"roll":0,"zoom":-3}},"idempotencyKey":"order-42","metadata":{"tenant":"acme"},"deadlineSeconds":600,"webhookUrl":"https://hooks.example.com/done","batchId":"b1","batchLine":7},"at":"2026-01-02T03:04:05+00:00"}
        """;

    [Fact]
    public void A_request_accepted_by_an_earlier_version_is_read_with_every_field_and_written_the_same_way()
    {
        var serializer = new OrchestratorSerializer(null!);

        var accepted = Assert.IsType<TaskAccepted>(serializer.FromBinary(Encoding.UTF8.GetBytes(Written), "ta1"));

        var r = accepted.Request;
        Assert.Equal(("kling", GenerationKind.TextToVideo, "kling-v1-6", "waves at dusk", "people"), (r.Provider, r.Kind, r.Model, r.Prompt, r.NegativePrompt));
        Assert.Equal(("16:9", 10, "pro", 0.5), (r.AspectRatio, r.DurationSeconds, r.Mode, r.CfgScale));
        Assert.Equal(new CameraControl("simple", new CameraConfig(Zoom: -3)), r.CameraControl);
        Assert.Equal(("order-42", "acme", 600, "https://hooks.example.com/done"), (r.IdempotencyKey, r.Metadata!["tenant"], r.DeadlineSeconds, r.WebhookUrl));
        Assert.Equal(("b1", 7), (r.BatchId, r.BatchLine));
        // Written again compressed (ta1b): the same JSON inside.
        Assert.Equal("ta1b", serializer.Manifest(accepted));
        Assert.Equal(Written, Encoding.UTF8.GetString(OrchestratorSerializer.JsonOf(serializer.ToBinary(accepted), "ta1b")));
    }
}
