using System.Net;
using Markdig;

namespace Orchestrator.Api.Tasks;

/// <summary>A report's Markdown as a standalone HTML page. Raw HTML in the Markdown is shown as text, never run.</summary>
public static class ReportPage
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    public static string Render(string theme, string markdown) =>
        $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Research report: {{WebUtility.HtmlEncode(theme)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5 }
        table { border-collapse: collapse } td, th { border: 1px solid #ccc; padding: .25rem .5rem }
        </style>
        </head>
        <body>
        {{Markdown.ToHtml(markdown, Pipeline)}}
        </body>
        </html>
        """;
}
