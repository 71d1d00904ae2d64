using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class StepRetries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "research_tasks",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "last_error_type",
                table: "research_tasks",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "retry_at",
                table: "research_tasks",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "retry_attempts",
                table: "research_tasks",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_retry_at",
                table: "research_tasks",
                column: "retry_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_research_tasks_retry_at",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "last_error",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "last_error_type",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "retry_at",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "retry_attempts",
                table: "research_tasks");
        }
    }
}
