using System.Text.Json;
using Orchestrator.Server.Api;

namespace Orchestrator.Tests.Api;

/// <summary>How a task request's JSON is read before validation: names spelled another way and wrong JSON types are named, all at once.</summary>
public sealed class TaskSubmissionJsonTests
{
    private static Dictionary<string, string> Errors(string json)
    {
        var (submission, errors) = TaskSubmissionJson.Read(JsonDocument.Parse(json).RootElement);
        Assert.Null(submission);
        return errors.ToDictionary(e => e.Field, e => e.Message);
    }

    [Fact]
    public void A_well_formed_request_reads_into_a_submission()
    {
        var (submission, errors) = TaskSubmissionJson.Read(JsonDocument.Parse("""
            {"provider":"kling","kind":"text-to-video","model":"kling-v1","prompt":"p","durationSeconds":10,"cfgScale":0.5,
             "cameraControl":{"type":"simple","config":{"zoom":-3}},"metadata":{"tenant":"a"},"count":null}
            """).RootElement);
        Assert.Empty(errors);
        Assert.Equal((10, 0.5, -3.0, "a"), (submission!.DurationSeconds, submission.CfgScale, submission.CameraControl!.Config!.Zoom, submission.Metadata!["tenant"]));
    }

    [Fact]
    public void Every_wrong_field_is_named_with_what_was_expected()
    {
        var errors = Errors("""{"count":"2","deadlineSeconds":true,"prompt":["p"],"metadata":{"tenant":1},"cameraControl":{"type":"simple","config":{"pan":null,"zoom":"1"}}}""");
        Assert.Equal(["cameraControl.config.pan", "cameraControl.config.zoom", "count", "deadlineSeconds", "metadata.tenant", "prompt"], errors.Keys.Order());
        Assert.Equal("Expected an integer (a JSON number, not in quotes), got a string.", errors["count"]);
        Assert.Equal("Expected an integer (a JSON number, not in quotes), got true.", errors["deadlineSeconds"]);
        Assert.Equal("Expected a string, got an array.", errors["prompt"]);
        Assert.Equal("Expected a string, got 1.", errors["metadata.tenant"]);
        Assert.Equal("Expected a number (not in quotes), got null.", errors["cameraControl.config.pan"]);
    }

    [Theory]
    [InlineData("""{"aspect_ratio":"1:1"}""", "aspect_ratio", "aspectRatio")]
    [InlineData("""{"Model":"kling-v1"}""", "Model", "model")]
    [InlineData("""{"n":2}""", "n", "count")]
    [InlineData("""{"model_name":"kling-v1"}""", "model_name", "model")]
    [InlineData("""{"callback_url":"https://x.test/"}""", "callback_url", "webhookUrl")]
    [InlineData("""{"cameraControl":{"type":"simple","Config":{"zoom":1}}}""", "cameraControl.Config", "config")]
    public void A_name_spelled_another_way_suggests_the_api_name(string json, string field, string meant) =>
        Assert.Contains($"did you mean '{meant}'?", Errors(json)[field]);

    [Fact]
    public void An_unknown_name_with_no_likely_match_lists_the_known_fields()
    {
        var message = Errors("""{"colour":"red"}""")["colour"];
        Assert.StartsWith("Unknown field 'colour'. Known fields: provider, kind, model, prompt", message);
    }

    [Fact]
    public void A_body_with_very_many_wrong_fields_is_answered_with_the_first_ones()
    {
        var json = "{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"f{i}\":1")) + "}";
        Assert.Equal(TaskSubmissionJson.MaxErrors, Errors(json).Count);
    }
}
