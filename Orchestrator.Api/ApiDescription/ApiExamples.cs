using System.Text.Json.Nodes;

namespace Orchestrator.Api.ApiDescription;

/// <summary>The examples of the document: the seed's curl example and what the service answers to it.</summary>
public static class ApiExamples
{
    public static readonly JsonNode SubmitTask = new JsonObject
    {
        ["theme"] = "Tesla Inc financial performance 2023",
        ["budget"] = 50,
        ["voice_id"] = "user_voice_123",
    };

    public static readonly JsonNode TaskSubmitted = new JsonObject { ["task_id"] = "3f2c9a4e-8d1b-4c6f-9e2a-7b5d0c1e4fa8" };

    public static readonly JsonNode ThemeMissing = new JsonObject
    {
        ["detail"] = new JsonArray(new JsonObject
        {
            ["loc"] = new JsonArray("body", "theme"),
            ["msg"] = "field required",
            ["type"] = "value_error.missing",
        }),
    };
}
