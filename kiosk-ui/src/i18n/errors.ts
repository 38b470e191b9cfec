// Staff-facing words for every code of the error register (protocol
// errors.ts, issue 13 section 1) and every suggested action, in the kiosk's
// four languages: [zh-Hans, zh-Hant, bo, en]. Keys: `error.<layer>.<name>`
// and `action.<action>`. tests/src/protocol/error-register.test.ts fails when
// a registered code or action has no words here in any language.
import type { StaffAction } from '@nongbao/protocol/errors';

type Words = readonly [zhHans: string, zhHant: string, bo: string, en: string];

export const ERROR_WORDS: Record<string, Words> = {
  // ---- device (bill acceptor, printer, PIN pad)
  'device.linkClosed': ['设备连线断开', '設備連線斷開', 'སྒྲིག་ཆས་ཀྱི་སྐུད་པ་ཆད་འདུག', 'The device cable or port is disconnected'],
  'device.writeFailed': ['无法向设备发送命令', '無法向設備發送命令', 'སྒྲིག་ཆས་ལ་བཀའ་བརྡ་གཏོང་མ་ཐུབ།', 'Could not send a command to the device'],
  'device.timeout': ['设备没有回应', '設備沒有回應', 'སྒྲིག་ཆས་ནས་ལན་མ་བྱུང་།', 'The device did not answer in time'],
  'device.canceled': ['操作已取消', '操作已取消', 'བཀོལ་སྤྱོད་མེད་པར་བཏང་།', 'The operation was cancelled'],
  'device.queueFull': ['设备命令排队太多', '設備命令排隊太多', 'སྒྲིག་ཆས་ཀྱི་བཀའ་བརྡ་མང་དྲགས།', 'Too many commands are waiting for the device'],
  'device.badFrame': ['设备回应的数据有误', '設備回應的資料有誤', 'སྒྲིག་ཆས་ཀྱི་ལན་ནོར་འདུག', 'The device answered with garbled data'],
  'device.nak': ['设备拒收了命令', '設備拒收了命令', 'སྒྲིག་ཆས་ཀྱིས་བཀའ་བརྡ་ཁས་མ་བླངས།', 'The device refused the command'],
  'device.busyReply': ['设备正忙', '設備正忙', 'སྒྲིག་ཆས་བྲེལ་བ་ཡིན།', 'The device is busy'],
  'device.unexpectedReply': ['设备回应不正常', '設備回應不正常', 'སྒྲིག་ཆས་ཀྱི་ལན་རྒྱུན་ལྡན་མིན།', 'The device gave an unexpected answer'],
  'device.badStatusByte': ['设备状态读不出来', '設備狀態讀不出來', 'སྒྲིག་ཆས་ཀྱི་གནས་སྟངས་ཀློག་མ་ཐུབ།', 'The device status could not be read'],
  'device.lostEvents': ['收款机有记录丢失', '收款機有記錄遺失', 'དངུལ་ལེན་འཕྲུལ་འཁོར་གྱི་ཟིན་ཐོ་བོར་འདུག', 'The bill acceptor lost some events'],
  'device.notOpen': ['设备没有启动', '設備沒有啟動', 'སྒྲིག་ཆས་འགོ་མ་བཙུགས།', 'The device is not started'],
  'device.hardwareError': ['设备硬件故障', '設備硬體故障', 'སྒྲིག་ཆས་ཀྱི་སྲ་ཆས་སྐྱོན།', 'The device has a hardware fault'],
  'device.paperOut': ['打印机没纸了', '印表機沒紙了', 'པར་འཕྲུལ་ལ་ཤོག་བུ་རྫོགས་འདུག', 'The printer is out of paper'],
  'device.coverOpen': ['打印机盖子开着', '印表機蓋子開著', 'པར་འཕྲུལ་གྱི་ཁ་གཡོགས་ཕྱེ་འདུག', 'The printer cover is open'],
  'device.cutterError': ['打印机切纸刀故障', '印表機切紙刀故障', 'པར་འཕྲུལ་གྱི་ཤོག་གཅོད་སྐྱོན།', 'The printer cutter is faulty'],
  'device.escrowEmpty': ['暂存位置没有钞票', '暫存位置沒有鈔票', 'གནས་སྐབས་ཉར་ས་ན་ཤོག་དངུལ་མེད།', 'No note was waiting in escrow'],
  'device.routeFailed': ['钞票没有送进钱箱', '鈔票沒有送進錢箱', 'ཤོག་དངུལ་དངུལ་སྒམ་ནང་མ་སོང་།', 'The note did not reach the cash box'],
  'device.fraudAttempt': ['收款机发现疑似作弊', '收款機發現疑似作弊', 'དངུལ་ལེན་འཕྲུལ་འཁོར་གྱིས་གཡོ་ཟོལ་དོགས།', 'The bill acceptor suspects tampering'],
  'device.busy': ['设备正在做别的事', '設備正在做別的事', 'སྒྲིག་ཆས་ལས་ཀ་གཞན་བྱེད་བཞིན།', 'The device is doing something else'],
  'device.stackerFull': ['钱箱满了', '錢箱滿了', 'དངུལ་སྒམ་ཁེངས་འདུག', 'The cash box is full'],
  'device.stackerRemoved': ['钱箱没有装上', '錢箱沒有裝上', 'དངུལ་སྒམ་འཇུག་མེད།', 'The cash box is not in place'],
  'device.jammed': ['收款机卡钞了', '收款機卡鈔了', 'དངུལ་ལེན་འཕྲུལ་འཁོར་ནང་ཤོག་དངུལ་འགགས་འདུག', 'A note is jammed in the bill acceptor'],
  'device.invalidArgument': ['程序给设备的参数不对', '程式給設備的參數不對', 'སྒྲིག་ཆས་ལ་བཏང་བའི་གྲངས་ནོར།', 'The software gave the device a wrong value'],
  'device.unsupported': ['设备不支持这项操作', '設備不支援這項操作', 'སྒྲིག་ཆས་ཀྱིས་བྱ་བ་འདི་མི་ཐུབ།', 'The device does not support this'],
  // ---- card (reader and cards)
  'card.readerServiceUnavailable': ['读卡服务没有运行', '讀卡服務沒有執行', 'ཤོག་བྱང་ཀློག་པའི་ཞབས་ཞུ་མི་འཁོར།', 'The card reader service is not running'],
  'card.readerRemoved': ['读卡器断开了', '讀卡器斷開了', 'ཤོག་བྱང་ཀློག་ཆས་ཆད་སོང་།', 'The card reader was disconnected'],
  'card.cardRemoved': ['卡被拔出了', '卡被拔出了', 'ཤོག་བྱང་ཕྱིར་བཏོན་སོང་།', 'The card was taken out'],
  'card.timeout': ['卡没有回应', '卡沒有回應', 'ཤོག་བྱང་ནས་ལན་མ་བྱུང་།', 'The card did not answer in time'],
  'card.transportFailed': ['和卡通信失败', '和卡通訊失敗', 'ཤོག་བྱང་དང་འབྲེལ་མ་ཐུབ།', 'Talking to the card failed'],
  'card.aborted': ['读卡已取消', '讀卡已取消', 'ཤོག་བྱང་ཀློག་པ་མེད་པར་བཏང་།', 'Reading the card was cancelled'],
  'card.responseTooShort': ['卡的回应太短', '卡的回應太短', 'ཤོག་བྱང་གི་ལན་ཐུང་དྲགས།', 'The card answer was too short'],
  'card.responseTooLong': ['卡的回应太长', '卡的回應太長', 'ཤོག་བྱང་གི་ལན་རིང་དྲགས།', 'The card answer was too long'],
  'card.connectFailed': ['连接不上卡', '連接不上卡', 'ཤོག་བྱང་དང་མཐུད་མ་ཐུབ།', 'Could not connect to the card'],
  'card.sessionBusy': ['读卡器正忙', '讀卡器正忙', 'ཤོག་བྱང་ཀློག་ཆས་བྲེལ་བ།', 'The card reader is busy'],
  'card.vpcdUnavailable': ['虚拟读卡器没有运行', '虛擬讀卡器沒有執行', 'རྫུན་མའི་ཤོག་བྱང་ཀློག་ཆས་མི་འཁོར།', 'The virtual card reader is not running'],
  'card.vpcdDisconnected': ['虚拟读卡器断开了', '虛擬讀卡器斷開了', 'རྫུན་མའི་ཤོག་བྱང་ཀློག་ཆས་ཆད་སོང་།', 'The virtual card reader disconnected'],
  'card.commandInvalid': ['给卡的命令不对', '給卡的命令不對', 'ཤོག་བྱང་ལ་བཏང་བའི་བཀའ་བརྡ་ནོར།', 'The software sent the card a malformed command'],
  'card.pinWrong': ['密码不对', '密碼不對', 'གསང་ཨང་ནོར་འདུག', 'Wrong PIN'],
  'card.pinBlocked': ['密码已锁定', '密碼已鎖定', 'གསང་ཨང་ཟྭ་བརྒྱབ་ཟིན།', 'The PIN is blocked'],
  'card.fileNotFound': ['卡上找不到社保应用', '卡上找不到社保應用', 'ཤོག་བྱང་ཐོག་སྤྱི་ཚོགས་འགན་སྲུང་གི་ཉེར་སྤྱོད་མི་འདུག', 'The card has no social-security application'],
  'card.recordNotFound': ['卡上缺少记录', '卡上缺少記錄', 'ཤོག་བྱང་ཐོག་ཟིན་ཐོ་མི་འདུག', 'A record is missing on the card'],
  'card.securityNotSatisfied': ['卡拒绝了：安全条件不满足', '卡拒絕了：安全條件不滿足', 'ཤོག་བྱང་གིས་ཁས་མ་བླངས། བདེ་འཇགས་ཆ་རྐྱེན་མ་ཚང་།', 'The card refused: security condition not met'],
  'card.conditionsNotSatisfied': ['卡拒绝了：使用条件不满足', '卡拒絕了：使用條件不滿足', 'ཤོག་བྱང་གིས་ཁས་མ་བླངས། བེད་སྤྱོད་ཆ་རྐྱེན་མ་ཚང་།', 'The card refused: conditions of use not met'],
  'card.wrongParameters': ['卡命令参数不对', '卡命令參數不對', 'ཤོག་བྱང་བཀའ་བརྡའི་གྲངས་ནོར།', 'Wrong parameters in a card command'],
  'card.instructionNotSupported': ['卡不支持这个命令', '卡不支援這個命令', 'ཤོག་བྱང་གིས་བཀའ་བརྡ་འདི་མི་ཐུབ།', 'The card does not support this command'],
  'card.classNotSupported': ['卡不支持这类命令', '卡不支援這類命令', 'ཤོག་བྱང་གིས་བཀའ་བརྡའི་རིགས་འདི་མི་ཐུབ།', 'The card does not support this command class'],
  'card.wrongLength': ['卡命令长度不对', '卡命令長度不對', 'ཤོག་བྱང་བཀའ་བརྡའི་རིང་ཚད་ནོར།', 'Wrong length in a card command'],
  'card.functionNotSupported': ['卡不支持这项功能', '卡不支援這項功能', 'ཤོག་བྱང་གིས་ནུས་པ་འདི་མི་ཐུབ།', 'The card does not support this function'],
  'card.dataInvalid': ['卡拒绝了数据', '卡拒絕了資料', 'ཤོག་བྱང་གིས་གྲངས་གཞི་ཁས་མ་བླངས།', 'The card refused the data'],
  'card.memoryFailure': ['卡的存储坏了', '卡的儲存壞了', 'ཤོག་བྱང་གི་གསོག་ཉར་སྐྱོན་ཤོར།', 'The card memory failed'],
  'card.authenticationMethodBlocked': ['卡的验证已锁定', '卡的驗證已鎖定', 'ཤོག་བྱང་གི་ར་སྤྲོད་ཟྭ་བརྒྱབ་ཟིན།', 'The card authentication is blocked'],
  'card.unexpectedStatus': ['卡回应了未知状态', '卡回應了未知狀態', 'ཤོག་བྱང་གིས་མི་ཤེས་པའི་གནས་སྟངས་ལན།', 'The card answered an unknown status'],
  'card.atrInvalid': ['卡的复位应答不对', '卡的重設應答不對', 'ཤོག་བྱང་གི་འགོ་འཛུགས་ལན་ནོར།', 'The card answer-to-reset is not valid'],
  'card.notSocialSecurityCard': ['这不是社保卡', '這不是社保卡', 'འདི་སྤྱི་ཚོགས་འགན་སྲུང་ཤོག་བྱང་མིན།', 'This is not a social-security card'],
  'card.recordDamaged': ['卡上的记录损坏', '卡上的記錄損壞', 'ཤོག་བྱང་ཐོག་གི་ཟིན་ཐོ་སྐྱོན་ཤོར།', 'A record on the card is damaged'],
  'card.wrongGenerationLayout': ['卡的版本格式不对', '卡的版本格式不對', 'ཤོག་བྱང་གི་པར་གཞིའི་རྣམ་པ་ནོར།', 'The card layout does not match its generation'],
  'card.fieldMissing': ['卡上缺少信息', '卡上缺少資訊', 'ཤོག་བྱང་ཐོག་ཆ་འཕྲིན་མི་ཚང་།', 'Information is missing on the card'],
  'card.fieldInvalid': ['卡上信息有误', '卡上資訊有誤', 'ཤོག་བྱང་ཐོག་ཆ་འཕྲིན་ནོར་འདུག', 'Information on the card is wrong'],
  'card.pinFormat': ['密码应该是6位数字', '密碼應該是6位數字', 'གསང་ཨང་ལ་ཨང་གྲངས་དྲུག་དགོས།', 'The PIN has 6 digits'],
  'card.citizenNumberInvalid': ['卡上的身份证号不对', '卡上的身分證號不對', 'ཤོག་བྱང་ཐོག་གི་ཐོབ་ཐང་ལག་ཁྱེར་ཨང་ནོར།', 'The citizen number on the card is not valid'],
  'card.birthDateMismatch': ['出生日期和身份证号不符', '出生日期和身分證號不符', 'སྐྱེས་ཚེས་དང་ལག་ཁྱེར་ཨང་མི་མཐུན།', 'The birth date does not match the citizen number'],
  'card.cardExpired': ['卡已过期', '卡已過期', 'ཤོག་བྱང་དུས་ཚོད་འདས་ཟིན།', 'The card has expired'],
  'card.cardNotYetValid': ['卡还没到启用日期', '卡還沒到啟用日期', 'ཤོག་བྱང་བེད་སྤྱོད་ཀྱི་དུས་ཚོད་མ་སླེབས།', 'The card is not valid yet'],
  'card.cardAuthenticationFailed': ['卡没有通过真伪验证', '卡沒有通過真偽驗證', 'ཤོག་བྱང་བདེན་རྫུན་ར་སྤྲོད་མ་ཐུབ།', 'The card failed the authenticity check'],
  'card.profileInvalid': ['虚拟卡配置有误', '虛擬卡設定有誤', 'རྫུན་མའི་ཤོག་བྱང་གི་སྒྲིག་འགོད་ནོར།', 'The virtual card profile is not valid'],
  // ---- terminal (resources, self-tests)
  'terminal.diskLow': ['磁盘空间快满了', '磁碟空間快滿了', 'སྡེར་མའི་བར་སྟོང་ཁེངས་ལ་ཉེ།', 'The disk is nearly full'],
  'terminal.journalLarge': ['本机记录文件太大', '本機記錄檔案太大', 'འཕྲུལ་འཁོར་གྱི་ཟིན་ཐོ་ཡིག་ཆ་ཆེ་དྲགས།', 'The kiosk journal is very large'],
  'terminal.outboxBacklog': ['很多记录还没上传', '很多記錄還沒上傳', 'ཟིན་ཐོ་མང་པོ་ད་དུང་མ་སྐུར།', 'Many records are waiting to be sent'],
  'terminal.outboxHalted': ['上传已停止，需要县里处理', '上傳已停止，需要縣裡處理', 'སྐུར་བ་མཚམས་ཆད། རྫོང་ནས་ཐག་གཅོད་དགོས།', 'Sending stopped: the county office must settle an entry'],
  'terminal.clockDrift': ['本机时钟和服务器差太多', '本機時鐘和伺服器差太多', 'འཕྲུལ་འཁོར་གྱི་དུས་ཚོད་དང་ཞབས་ཞུ་འཕྲུལ་ཆས་མི་མཐུན།', 'The kiosk clock is far off the server clock'],
  'terminal.serverUnreachable': ['连不上县服务器', '連不上縣伺服器', 'རྫོང་གི་ཞབས་ཞུ་འཕྲུལ་ཆས་དང་མཐུད་མ་ཐུབ།', 'The county server cannot be reached'],
  'terminal.deviceAbsent': ['本机没有装这个设备', '本機沒有裝這個設備', 'འཕྲུལ་འཁོར་འདིར་སྒྲིག་ཆས་འདི་མེད།', 'This kiosk has no such device'],
  'terminal.noCardInserted': ['读卡器里没有卡', '讀卡器裡沒有卡', 'ཤོག་བྱང་ཀློག་ཆས་ནང་ཤོག་བྱང་མེད།', 'No card is in the reader'],
  'terminal.selfTestBusy': ['另一项自检正在进行', '另一項自檢正在進行', 'རང་ཞིབ་གཞན་ཞིག་བྱེད་བཞིན།', 'Another self-test is running'],
  'terminal.selfTestFailed': ['自检没有通过', '自檢沒有通過', 'རང་ཞིབ་ལེགས་འགྲུབ་མ་བྱུང་།', 'The self-test failed'],
  // ---- gateway (the county server's answers)
  'gateway.badRequest': ['服务器看不懂本机的请求', '伺服器看不懂本機的請求', 'ཞབས་ཞུ་འཕྲུལ་ཆས་ཀྱིས་རེ་ཞུ་གོ་མ་སོང་།', 'The server could not understand the request'],
  'gateway.unsupportedVersion': ['本机软件版本太旧', '本機軟體版本太舊', 'མཉེན་ཆས་ཀྱི་པར་གཞི་རྙིང་དྲགས།', 'The kiosk software version is not supported'],
  'gateway.unknownEvent': ['服务器不认识这个请求', '伺服器不認識這個請求', 'ཞབས་ཞུ་འཕྲུལ་ཆས་ཀྱིས་རེ་ཞུ་འདི་ངོ་མ་ཤེས།', 'The server does not know this request'],
  'gateway.notFound': ['服务器上找不到', '伺服器上找不到', 'ཞབས་ཞུ་འཕྲུལ་ཆས་ཐོག་རྙེད་མ་བྱུང་།', 'The server found nothing for it'],
  'gateway.refused': ['服务器拒绝了', '伺服器拒絕了', 'ཞབས་ཞུ་འཕྲུལ་ཆས་ཀྱིས་ཁས་མ་བླངས།', 'The server refused it'],
  'gateway.rateLimited': ['请求太频繁，服务器暂时不接', '請求太頻繁，伺服器暫時不接', 'རེ་ཞུ་མང་དྲགས། གནས་སྐབས་ལེན་མི་ཐུབ།', 'Too many requests: the server waits a moment'],
  'gateway.unavailable': ['服务器暂时不能回答', '伺服器暫時不能回答', 'ཞབས་ཞུ་འཕྲུལ་ཆས་ཀྱིས་གནས་སྐབས་ལན་མི་ཐུབ།', 'The server cannot answer now'],
  'gateway.internal': ['服务器内部出错', '伺服器內部出錯', 'ཞབས་ཞུ་འཕྲུལ་ཆས་ནང་ནོར་འཁྲུལ།', 'The server had an internal error'],
};

export const ACTION_WORDS: Record<StaffAction, Words> = {
  none: ['不用处理', '不用處理', 'ཐག་གཅོད་མི་དགོས།', 'Nothing to do'],
  retry: ['稍等再试一次', '稍等再試一次', 'ཏོག་ཙམ་སྒུག་ནས་ཡང་བསྐྱར་ཚོད་ལྟ་བྱོས།', 'Wait a moment and try again'],
  reset: ['重新启动这台机器', '重新啟動這台機器', 'འཕྲུལ་འཁོར་འདི་བསྐྱར་དུ་འགོ་འཛུགས་བྱོས།', 'Restart the kiosk'],
  checkConnection: ['检查设备的电源和连线', '檢查設備的電源和連線', 'སྒྲིག་ཆས་ཀྱི་གློག་དང་སྐུད་པ་ཞིབ་བཤེར་བྱོས།', 'Check the device power and cable'],
  clearJam: ['打开收款机，取出卡住的钞票', '打開收款機，取出卡住的鈔票', 'དངུལ་ལེན་འཕྲུལ་འཁོར་ཁ་ཕྱེ་ནས་འགགས་པའི་ཤོག་དངུལ་ཕྱིར་ལོན།', 'Open the bill acceptor and clear the jammed note'],
  insertStacker: ['把钱箱装回去', '把錢箱裝回去', 'དངུལ་སྒམ་བསྐྱར་དུ་འཇུག་རོགས།', 'Put the cash box back in'],
  emptyStacker: ['清空钱箱（先开始收款）', '清空錢箱（先開始收款）', 'དངུལ་སྒམ་སྟོང་པ་བཟོས། (སྔོན་ལ་དངུལ་བསྡུ་འགོ་འཛུགས།)', 'Empty the cash box (start a collection first)'],
  reconcileCashBox: ['收款时核对钱箱里的钱', '收款時核對錢箱裡的錢', 'དངུལ་བསྡུ་སྐབས་དངུལ་སྒམ་ནང་གི་དངུལ་ཞིབ་བཤེར་བྱོས།', 'Check the cash box against the journal at the next collection'],
  loadPaper: ['装上新的打印纸', '裝上新的列印紙', 'པར་ཤོག་གསར་པ་འཇུག་རོགས།', 'Load a new paper roll'],
  closeCover: ['关好打印机盖子', '關好印表機蓋子', 'པར་འཕྲུལ་གྱི་ཁ་གཡོགས་ལེགས་པར་རྒྱོབ།', 'Close the printer cover'],
  callMaintenance: ['打电话给县里的维修人员', '打電話給縣裡的維修人員', 'རྫོང་གི་ཉམས་གསོ་བ་ལ་ཁ་པར་གཏོང་།', 'Call the county maintenance service'],
  reinsertCard: ['拔出卡，再插进去', '拔出卡，再插進去', 'ཤོག་བྱང་ཕྱིར་བཏོན་ནས་ཡང་བསྐྱར་འཇུག', 'Take the card out and insert it again'],
  replaceCard: ['这张卡需要到县里换新卡', '這張卡需要到縣裡換新卡', 'ཤོག་བྱང་འདི་རྫོང་དུ་གསར་བརྗེ་དགོས།', 'The card must be replaced at the county office'],
  checkNetwork: ['检查网线、路由器或手机信号', '檢查網路線、路由器或手機訊號', 'དྲ་སྐུད་དང་ལམ་སྟོན་ཆས། ཡང་ན་ཁ་པར་བརྡ་རྟགས་ཞིབ་བཤེར་བྱོས།', 'Check the network cable, router or mobile signal'],
  freeDisk: ['打电话给维修人员清理磁盘', '打電話給維修人員清理磁碟', 'སྡེར་མ་གཙང་སེལ་ཆེད་ཉམས་གསོ་བ་ལ་ཁ་པར་གཏོང་།', 'Call maintenance to free disk space'],
  settleOutbox: ['请县里在办公系统处理被停住的记录', '請縣裡在辦公系統處理被停住的記錄', 'རྫོང་གིས་ལས་ཁུངས་མ་ལག་ནང་མཚམས་ཆད་པའི་ཟིན་ཐོ་ཐག་གཅོད་དགོས།', 'Ask the county office to settle the stopped entry'],
  setClock: ['连上网络后自动校时；不行就找维修人员', '連上網路後自動校時；不行就找維修人員', 'དྲ་བ་མཐུད་རྗེས་དུས་ཚོད་རང་བཞིན་སྒྲིག་ཡོང་། མ་ཐུབ་ན་ཉམས་གསོ་བ་འཚོལ།', 'The clock is set when the network is back; otherwise call maintenance'],
  callOffice: ['请联系县社保局', '請聯絡縣社保局', 'རྫོང་གི་སྤྱི་ཚོགས་འགན་སྲུང་ཅུས་དང་འབྲེལ་བ་གནང་རོགས།', 'Contact the county social-security office'],
};

const INDEX = { 'zh-Hans': 0, 'zh-Hant': 1, bo: 2, en: 3 } as const;

/** The register's words for one language, as dictionary entries (`error.*`, `action.*`). */
export function errorDictionary(language: keyof typeof INDEX): Record<string, string> {
  const i = INDEX[language];
  const out: Record<string, string> = {};
  for (const [key, words] of Object.entries(ERROR_WORDS)) out[`error.${key}`] = words[i];
  for (const [key, words] of Object.entries(ACTION_WORDS)) out[`action.${key}`] = words[i];
  return out;
}
