namespace Orchestrator.Tests.Api.Progress;

/// <summary>One Server-Sent Event as a client sees it; <see cref="Comment"/> is set for a comment line (a heartbeat).</summary>
public sealed record ServerSentEvent(long Id, string Type, JsonNode Data, string? Comment = null);

/// <summary>Submits tasks and reads their progress streams the way <c>curl -N</c> would.</summary>
public static class ProgressClient
{
    public static async Task<string> SubmitAsync(this HttpClient client, string theme, int budget, string voiceId = "v")
    {
        using var response = await client.PostAsJsonAsync("/tasks", new { theme, budget, voice_id = voiceId });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
    }

    /// <summary>Reads the stream until the server ends it (or <paramref name="stopAfter"/> says so), within 30 s.</summary>
    public static async Task<List<ServerSentEvent>> ReadEventsAsync(
        this HttpClient client, string taskId, long? lastEventId = null, Func<ServerSentEvent, bool>? stopAfter = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/tasks/{taskId}/events");
        if (lastEventId is { } last)
            request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<ServerSentEvent>();
        var fields = new Dictionary<string, string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(':'))
            {
                var comment = new ServerSentEvent(0, "", JsonValue.Create(0), line[1..].Trim());
                events.Add(comment);
                if (stopAfter?.Invoke(comment) == true)
                    return events;
                continue;
            }

            if (line.Length > 0)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                fields[line[..colon]] = line[(colon + 1)..].TrimStart();
                continue;
            }

            if (fields.TryGetValue("data", out var data))
            {
                var sse = new ServerSentEvent(long.Parse(fields["id"], System.Globalization.CultureInfo.InvariantCulture), fields["event"], JsonNode.Parse(data)!);
                events.Add(sse);
                if (stopAfter?.Invoke(sse) == true)
                    return events;
            }

            fields.Clear();
        }

        return events;
    }
}
