package io.havip.core.cloud;

import static io.havip.core.cloud.Fixture.T0;
import static io.havip.core.cloud.Fixture.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HavipCsvTest {

    @Test
    void quotesOnlyWhatRfc4180Requires() {
        assertThat(HavipCsv.cell("plain")).isEqualTo("plain");
        assertThat(HavipCsv.cell("")).isEqualTo("");
        assertThat(HavipCsv.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(HavipCsv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(HavipCsv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(HavipCsv.cell("cr\rhere")).isEqualTo("\"cr\rhere\"");
        assertThat(HavipCsv.cell("中文 名称")).isEqualTo("中文 名称");
    }

    @Test
    void neutralisesFormulaCells() {
        assertThat(HavipCsv.cell("=HYPERLINK(\"http://x\")")).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\")\"");
        assertThat(HavipCsv.cell("+1")).isEqualTo("'+1");
        assertThat(HavipCsv.cell("-2+3")).isEqualTo("'-2+3");
        assertThat(HavipCsv.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(HavipCsv.cell("\tx")).isEqualTo("'\tx");
        assertThat(HavipCsv.cell("a=b")).as("only a leading sign matters").isEqualTo("a=b");
    }

    @Test
    void exportsWhatExcelOpens() {
        Fixture f = new Fixture();
        HavipService s = f.service;
        HavipResource web = s.apply(ApplyRequest.intranet("网站, \"主\"", "vpc-a", "subnet-a").withRemark("=cmd|' /C calc'!A0\nsecond line"));
        s.bind(web.id(), "ins-1");
        s.bind(web.id(), "ins-2");
        s.onAnnouncement(new ArpAnnouncement(web.address(), Fixture.mac(2), "subnet-a", T0));
        s.associateEip(web.id(), ip("203.0.113.10"));
        s.apply(ApplyRequest.intranet("-db", "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV6));

        byte[] bytes = s.exportCsv("");

        assertThat(Arrays.copyOf(bytes, 3)).containsExactly(0xEF, 0xBB, 0xBF);
        String text = new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        assertThat(text).isEqualTo(
                "Name/Remark,ID,Status,VPC/Subnet,Address,Bound instances,Holder,EIP,Created\r\n"
                + "\"网站, \"\"主\"\"\n=cmd|' /C calc'!A0\nsecond line\",havip-1,AVAILABLE,vpc-a/subnet-a,10.0.0.2,ins-1; ins-2,"
                + "ins-2,203.0.113.10,2024-05-01T08:00:00Z\r\n"
                + "'-db,havip-2,AVAILABLE,vpc-a/subnet-a,2001:db8:a::2,,,,2024-05-01T08:00:00Z\r\n");
        assertThat(new String(s.exportCsv("db"), StandardCharsets.UTF_8)).contains("havip-2").doesNotContain("havip-1");
    }
}
